"""Audit-trail sentences for the logbook, in German and English (no Home Assistant imports).

The logbook shows what the integration returns as plain text (it has no translation keys
for descriptions), so the sentences live here, for the system language.
"""

from __future__ import annotations

_STATES = {
    "de": {
        "pre_alarm": "Voralarm (kann noch abgebrochen werden)",
        "active": "Alarm aktiv",
        "delivered": "Alarm zugestellt",
        "acknowledged": "Alarm übernommen",
        "undeliverable": "Alarm NICHT zugestellt",
        "resolved": "Alarm abgeschlossen",
        "cancelled": "Alarm abgebrochen",
    },
    "en": {
        "pre_alarm": "pre-alarm (can still be cancelled)",
        "active": "alarm active",
        "delivered": "alarm delivered",
        "acknowledged": "alarm taken",
        "undeliverable": "alarm NOT delivered",
        "resolved": "alarm resolved",
        "cancelled": "alarm cancelled",
    },
}
_WORDS = {
    "de": {"by": "durch", "via": "über", "note": "Notiz"},
    "en": {"by": "by", "via": "via", "note": "note"},
}


def describe_transition(
    language: str, state: str, actor: str | None, channel: str | None, note: str | None
) -> str:
    """Return one logbook sentence, e.g. 'Alarm übernommen durch care_service:Anna über …'."""
    lang = "de" if language.split("-", maxsplit=1)[0] == "de" else "en"
    words = _WORDS[lang]
    text = _STATES[lang].get(state, state)
    if actor:
        text += f" {words['by']} {actor}"
    if channel:
        text += f" {words['via']} {channel}"
    if note:
        text += f" ({words['note']}: {note})"
    return text
