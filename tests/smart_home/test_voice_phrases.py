"""The apartment's spoken answers: times and temperatures in plain German and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from custom_components.smart_quarter.smart_home import voice_phrases as vp

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)


def test_when_today_tomorrow_and_later() -> None:
    assert (
        vp.when("de", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN), MONDAY) == "heute um 14:30 Uhr"
    )
    assert (
        vp.when("de-DE", datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN), MONDAY)
        == "morgen um 09:00 Uhr"
    )
    assert vp.when("de", datetime(2026, 12, 1, 10, 15, tzinfo=BERLIN), MONDAY) == (
        "am Dienstag, 1. Dezember um 10:15 Uhr"
    )
    assert vp.when("en", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN), MONDAY) == "today at 14:30"
    assert (
        vp.when("en-GB", datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN), MONDAY) == "tomorrow at 09:00"
    )
    assert (
        vp.when("fr", datetime(2026, 12, 1, 10, 15, tzinfo=BERLIN), MONDAY)
        == "on Tuesday, December 1 at 10:15"
    )


def test_numbers_and_temperatures() -> None:
    assert vp.number("de", 20.5) == "20,5"
    assert vp.number("de", 21.0) == "21"
    assert vp.number("en", 20.5) == "20.5"
    assert vp.temperatures("de", [("Bad", 23.0), ("Küche", 19.25)]) == (
        "Bad: 23 Grad, Küche: 19,2 Grad."
    )


def test_every_command_has_sentences_in_both_languages_and_answers() -> None:
    """Each command answers in German and English; its sentences include both languages."""
    for command, sentences in vp.SENTENCES.items():
        assert sentences, command
        if command in vp.STEP or command.value in ("lights_on", "lights_off"):
            assert vp.answer("de", command.value, target="20") != vp.answer(
                "en", command.value, target="20"
            )
