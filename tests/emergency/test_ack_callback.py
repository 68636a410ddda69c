"""The care service's signed, single-use acknowledgement callback (through HA's own webhook)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.ack_callback import (
    CallbackError,
    tokens_match,
    verify,
)
from custom_components.smart_quarter.emergency.webhook import signature

from .conftest import SECRET, STATE, CareService, apartment_device_id, call_and_wait

NOW = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)


def _signed(body: bytes, at: datetime = NOW, secret: str = SECRET) -> tuple[str, str]:
    timestamp = str(int(at.timestamp()))
    return timestamp, signature(secret, timestamp, body)


def test_verify_accepts_a_signed_request() -> None:
    body = json.dumps({"alarm_id": "a1", "token": "t", "by": " Schwester\x00 Anna "}).encode()
    request = verify(SECRET, *_signed(body), body, NOW)
    assert (request.alarm_id, request.token, request.by) == ("a1", "t", "Schwester Anna")
    body = json.dumps({"alarm_id": "a1", "token": "t"}).encode()
    assert verify(SECRET, *_signed(body), body, NOW).by == "care service"


@pytest.mark.parametrize(
    ("secret", "headers", "body", "status"),
    [
        ("", None, b"{}", 403),
        (SECRET, (None, None), b"{}", 401),
        (SECRET, ("yesterday", "sha256=0"), b"{}", 401),
        (SECRET, "old", b'{"alarm_id":"a1","token":"t"}', 401),
        (SECRET, "future", b'{"alarm_id":"a1","token":"t"}', 401),
        (SECRET, "wrong_secret", b'{"alarm_id":"a1","token":"t"}', 401),
        (SECRET, None, b"not json", 400),
        (SECRET, None, b"[1, 2]", 400),
        (SECRET, None, b'{"alarm_id": 1, "token": "t"}', 400),
        (SECRET, None, b"x" * 5000, 413),
        (SECRET, ("1795400000", "sha256=\udcff"), b"{}", 401),
    ],
)
def test_verify_refuses(secret: str, headers: object, body: bytes, status: int) -> None:
    """Missing or wrong signatures, replays, and malformed bodies each get their status."""
    if headers is None:
        headers = _signed(body)
    elif headers == "old":
        headers = _signed(body, NOW - timedelta(minutes=6))
    elif headers == "future":
        headers = _signed(body, NOW + timedelta(minutes=6))
    elif headers == "wrong_secret":
        headers = _signed(body, secret="another-secret-0123")
    with pytest.raises(CallbackError) as err:
        verify(secret, *headers, body, NOW)  # type: ignore[misc]
    assert err.value.status == status


def test_used_tokens_never_match() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match(None, "abc")


@given(st.binary(max_size=500), st.text(max_size=20), st.text(max_size=80))
def test_hostile_callbacks_are_only_refused(body: bytes, timestamp: str, sig: str) -> None:
    """Fuzzed requests: a CallbackError or a verified request, never anything else."""
    try:
        verify(SECRET, timestamp, sig, body, NOW)
    except CallbackError as err:
        status = err.status
    else:
        status = 200
    assert 200 <= status < 500


async def _post(
    client: ClientSessionGenerator, path: str, payload: dict | bytes, *, sign: bool = True
) -> tuple[int, dict]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if sign:
        timestamp, sig = _signed(body, dt_util.utcnow())
        headers = {"X-Smart-Quarter-Timestamp": timestamp, "X-Smart-Quarter-Signature": sig}
    session = await client()
    response = await session.post(path, data=body, headers=headers)
    text = await response.text()
    return response.status, json.loads(text) if text else {}


async def test_care_service_takes_the_alarm_once(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The alarm message says how to take it; the token works once; every refusal is clear."""
    service, _ = care_service
    await call_and_wait(hass, webhook_site, freezer)
    [message] = service.received
    ack = message["acknowledge"]
    assert ack["path"].startswith("/api/webhook/")
    assert ack["token"]
    request = {"alarm_id": message["alarm_id"], "token": ack["token"], "by": "Schwester Anna"}

    # Unsigned, wrong token, unknown alarm: refused, the alarm is not taken.
    assert (await _post(hass_client_no_auth, ack["path"], request, sign=False))[0] == 401
    status, answer = await _post(hass_client_no_auth, ack["path"], {**request, "token": "x"})
    assert (status, answer) == (409, {"error": "token used or replaced"})
    assert (await _post(hass_client_no_auth, ack["path"], {**request, "alarm_id": "zz"}))[0] == 404
    assert hass.states.get(STATE).state == "delivered"

    status, answer = await _post(hass_client_no_auth, ack["path"], request)
    assert (status, answer) == (200, {"result": "acknowledged", "alarm_id": message["alarm_id"]})
    state = hass.states.get(STATE)
    assert state.state == "acknowledged"
    assert state.attributes["acknowledged_by"] == "care_service:Schwester Anna"

    # Single use: the same request again is refused.
    assert (await _post(hass_client_no_auth, ack["path"], request))[0] == 409
    runtime = webhook_site.runtime_data.subsystems["emergency"]
    assert runtime.diagnostics()["acknowledgement_callback"]["refused"] == 4

    # Resolved from the dashboard/service as usual.
    await hass.services.async_call(
        DOMAIN,
        "resolve_alarm",
        {"device_id": apartment_device_id(hass, webhook_site), "note": "Sturz, versorgt"},
        blocking=True,
    )
    assert hass.states.get(STATE).state == "idle"


async def test_a_new_call_gets_a_new_token(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Taken, then the person calls again: a fresh token; the old one is worthless."""
    service, _ = care_service
    await call_and_wait(hass, webhook_site, freezer)
    first = service.received[-1]
    request = {"alarm_id": first["alarm_id"], "token": first["acknowledge"]["token"]}
    assert (await _post(hass_client_no_auth, first["acknowledge"]["path"], request))[0] == 200
    # The care service is told that the alarm was taken (no token: nothing left to take).
    await hass.async_block_till_done(wait_background_tasks=True)
    told = [m for m in service.received if m["dispatch"] == "acknowledged"]
    assert [(m["state"], m["acknowledge"]) for m in told] == [("acknowledged", None)]
    await call_and_wait(hass, webhook_site, freezer)
    second = service.received[-1]
    assert second["alarm_id"] == first["alarm_id"]
    assert second["acknowledge"]["token"] not in (None, first["acknowledge"]["token"])
    assert (await _post(hass_client_no_auth, first["acknowledge"]["path"], request))[0] == 409


async def test_a_body_in_pieces_is_read_whole(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A chunked request (a proxy, a slow client) is verified over its whole body."""
    service, _ = care_service
    await call_and_wait(hass, webhook_site, freezer)
    message = service.received[-1]
    body = json.dumps(
        {"alarm_id": message["alarm_id"], "token": message["acknowledge"]["token"]}
    ).encode()
    timestamp, sig = _signed(body, dt_util.utcnow())

    async def pieces():  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    session = await hass_client_no_auth()
    response = await session.post(
        message["acknowledge"]["path"],
        data=pieces(),
        headers={"X-Smart-Quarter-Timestamp": timestamp, "X-Smart-Quarter-Signature": sig},
    )
    assert response.status == 200
    assert hass.states.get(STATE).state == "acknowledged"


async def test_a_site_that_is_closing_does_not_claim_success(
    hass: HomeAssistant, webhook_site: MockConfigEntry
) -> None:
    from custom_components.smart_quarter.emergency.ack_callback import CallbackRequest

    subsystem = webhook_site.runtime_data.subsystems["emergency"]
    await subsystem.async_unload()
    with pytest.raises(CallbackError) as err:
        await subsystem._async_take_by_token(CallbackRequest("a", "t", "x"))
    assert err.value.status == 503


async def test_sites_without_a_secret_offer_no_callback(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    runtime = loaded_site.runtime_data.subsystems["emergency"]
    assert runtime.callback is None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(max_size=300))
async def test_hostile_bodies_through_home_assistant(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    body: bytes,
) -> None:
    """Signed garbage through HA's http stack: a 4xx, never a 5xx, never a taken alarm."""
    runtime = webhook_site.runtime_data.subsystems["emergency"]
    path = runtime.callback.details(None)["path"]
    status, _ = await _post(hass_client_no_auth, path, body)
    assert 400 <= status < 500
    assert hass.states.get(STATE).state == "idle"
