"""The temi MQTT bridge protocol: commands as the app expects them, messages as it sends them."""

from __future__ import annotations

from contextlib import suppress
import json

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_quarter.robot import bridge_protocol as bp

SERIAL = "00120485036"


def test_commands_are_json_objects_on_the_command_topics() -> None:
    assert bp.goto(SERIAL, "Wohnzimmer") == (
        f"temi/{SERIAL}/command/waypoint/goto",
        '{"location": "Wohnzimmer"}',
    )
    topic, payload = bp.speak(SERIAL, "Guten Tag, ich komme zu Ihnen.")
    assert topic == f"temi/{SERIAL}/command/tts"
    assert json.loads(payload) == {"utterance": "Guten Tag, ich komme zu Ihnen."}
    assert "ü" in bp.speak(SERIAL, "Grüß Gott")[1]  # UTF-8, not escaped
    assert bp.stop(SERIAL) == (f"temi/{SERIAL}/command/move/stop", "{}")
    assert json.loads(bp.tilt(SERIAL, 12.7)[1]) == {"angle": 12}  # whole degrees only
    assert bp.show_url(SERIAL, "https://x/y")[0].endswith("/command/media/webview")
    assert bp.show_url(SERIAL, "https://x/v.mp4", video=True)[0].endswith("/media/video")
    assert json.loads(bp.open_app(SERIAL, "org.jitsi.meet")[1]) == {
        "package_name": "org.jitsi.meet"
    }
    assert bp.subscription(SERIAL) == f"temi/{SERIAL}/#"
    assert bp.valid_serial(SERIAL)
    assert not bp.valid_serial("a/b")
    assert not bp.valid_serial("+")


def test_messages_of_the_robot() -> None:
    base = f"temi/{SERIAL}/"
    assert bp.parse(
        SERIAL,
        base + "status/info",
        '{"waypoint_list": ["home base", "Bett"], "battery_percentage": 87}',
    ) == bp.StatusInfo(("home base", "Bett"), 87)
    assert bp.parse(
        SERIAL, base + "status/utils/battery", b'{"percentage": 15, "is_charging": true}'
    ) == bp.Battery(15, True)
    event = bp.parse(
        SERIAL,
        base + "event/waypoint/goto",
        json.dumps(
            {
                "location": "Bett",
                "status": "ABORT",
                "description_id": 1005,
                "description": "Obstacle",
            }
        ),
    )
    assert event == bp.GotoEvent("Bett", bp.GotoStatus.ABORT, 1005, "Obstacle")
    assert bp.parse(SERIAL, base + "event/user/detection", '{"state": 2}') == bp.UserDetection(2)
    assert bp.parse(
        SERIAL, base + "event/user/interaction", '{"is_interacting": false}'
    ) == bp.UserInteraction(False)
    assert bp.parse(SERIAL, base + "lwt", "{}") == bp.LastWill()
    # Not the robot's messages: other robots, our own commands, unknown topics.
    assert bp.parse(SERIAL, "temi/other/status/info", "{}") is None
    assert bp.parse(SERIAL, base + "command/tts", '{"utterance": "x"}') is None
    assert bp.parse(SERIAL, base + "status/unknown", "garbage") is None


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("status/info", "not json"),
        ("status/info", "[1, 2]"),
        ("status/info", '{"waypoint_list": "Bett", "battery_percentage": 80}'),
        ("status/info", '{"waypoint_list": [], "battery_percentage": 180}'),
        ("status/info", '{"waypoint_list": [], "battery_percentage": "80"}'),
        ("status/utils/battery", '{"percentage": 50}'),
        ("status/utils/battery", '{"percentage": 50, "is_charging": "yes"}'),
        ("event/waypoint/goto", '{"location": "Bett", "status": "teleporting"}'),
        ("event/waypoint/goto", '{"location": 3, "status": "going"}'),
        ("event/user/detection", '{"state": 7}'),
        ("event/user/interaction", b"\xff\xfe"),
    ],
)
def test_malformed_messages_raise_one_error_type(kind: str, payload: str | bytes) -> None:
    with pytest.raises(bp.BridgeMessageError):
        bp.parse(SERIAL, f"temi/{SERIAL}/{kind}", payload)


@given(
    st.sampled_from(
        [
            "status/info",
            "status/utils/battery",
            "event/waypoint/goto",
            "event/user/detection",
            "event/user/interaction",
            "lwt",
        ]
    ),
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "waypoint_list",
                            "battery_percentage",
                            "percentage",
                            "is_charging",
                            "location",
                            "status",
                            "state",
                            "is_interacting",
                            "description_id",
                        ]
                    ),
                    children,
                    max_size=5,
                )
            ),
            max_leaves=12,
        ).map(json.dumps),
    ),
)
def test_no_payload_raises_anything_else(kind: str, payload: str | bytes) -> None:
    with suppress(bp.BridgeMessageError):
        bp.parse(SERIAL, f"temi/{SERIAL}/{kind}", payload)


def test_locations_compare_as_the_robot_does() -> None:
    assert bp.same_location(" Home Base ", "home base")
    assert not bp.same_location("Bett", "Bad")
