"""Consultation sessions of a telemedicine room (pure).

A session runs from start to stop and carries a pseudonymous reference (the appointment's
reference, never a name). A measurement taken while a session runs belongs to it; one taken
outside any session belongs to nobody and is not sent anywhere. At the end the session gives a
summary (what was measured, how often, the last values) and is closed for good.

The stethoscope has no standard Bluetooth profile: its sound goes to the doctor through the
maker's own software. What the room knows of it is when a recording ran; recordings belong to
the session like readings and end with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
import re
from typing import Any

ATTRIBUTION_GRACE = timedelta(minutes=2)
"""A reading taken this long before the start still belongs to the session (device clocks
count in whole seconds and drift; patients start measuring while the assistant starts the
session) - unless the room's previous session ended after it."""

_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$")


class SessionError(ValueError):
    """A refused session change; `key` names it for a translated message."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement of a session (already parsed and converted)."""

    kind: str
    """The device kind: 'blood_pressure', 'glucose', 'thermometer', 'pulse_oximeter' ..."""
    values: dict[str, float]
    at: datetime
    device: str
    flags: tuple[str, ...] = ()
    """Status the device reported with the values ('irregular_pulse', 'body_movement' ...)."""
    reading_id: str = ""
    """Stable id of the measurement (the same record read twice has the same id)."""


@dataclass(frozen=True, slots=True)
class Recording:
    """One stethoscope recording of a session."""

    started_at: datetime
    ended_at: datetime

    @property
    def seconds(self) -> float:
        """How long it ran."""
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(slots=True)
class Session:
    """One consultation in a room."""

    reference: str
    started_at: datetime
    ended_at: datetime | None = None
    readings: list[Reading] = field(default_factory=list)
    recording_since: datetime | None = None
    """When the stethoscope recording that runs now started (None: none runs)."""
    recordings: list[Recording] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """True until stopped."""
        return self.ended_at is None

    def start_recording(self, now: datetime) -> None:
        """Start a stethoscope recording (SessionError when one runs or the session ended)."""
        if not self.running:
            raise SessionError("no_session")
        if self.recording_since is not None:
            raise SessionError("recording_running")
        self.recording_since = now

    def stop_recording(self, now: datetime) -> Recording | None:
        """End the running recording and return it; None when none ran."""
        if self.recording_since is None:
            return None
        recording = Recording(self.recording_since, max(now, self.recording_since))
        self.recordings.append(recording)
        self.recording_since = None
        return recording

    def summary(self) -> dict[str, Any]:
        """Return what was measured, how often and the last values (no personal data)."""
        kinds: dict[str, dict[str, Any]] = {}
        for reading in self.readings:
            entry = kinds.setdefault(reading.kind, {"count": 0})
            entry["count"] += 1
            entry["last"] = reading.values
            entry["at"] = reading.at.isoformat()
        end = self.ended_at or self.started_at
        summary: dict[str, Any] = {
            "reference": self.reference,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "minutes": round((end - self.started_at) / timedelta(minutes=1), 1),
            "measurements": kinds,
        }
        if self.recordings:
            summary["stethoscope"] = {
                "recordings": len(self.recordings),
                "seconds": round(sum(recording.seconds for recording in self.recordings)),
            }
        return summary


class SessionBook:
    """The running session of each room."""

    def __init__(self) -> None:
        """Start with no sessions."""
        self._running: dict[str, Session] = {}
        self._last_ended: dict[str, datetime] = {}

    def running(self, room_id: str) -> Session | None:
        """Return the room's running session, if any."""
        return self._running.get(room_id)

    def start(self, room_id: str, reference: str, now: datetime) -> Session:
        """Start a session (SessionError when one runs or the reference is not a pseudonym)."""
        reference = reference.strip()
        if not _REFERENCE_RE.match(reference):
            raise SessionError("invalid_reference")
        if room_id in self._running:
            raise SessionError("session_running")
        session = Session(reference, now)
        self._running[room_id] = session
        return session

    def stop(self, room_id: str, now: datetime) -> Session:
        """End the room's session and return it (SessionError when none runs).

        A stethoscope recording still running ends with it.
        """
        session = self._running.pop(room_id, None)
        if session is None:
            raise SessionError("no_session")
        session.stop_recording(now)
        session.ended_at = now
        self._last_ended[room_id] = now
        return session

    def attribute(self, room_id: str, reading: Reading) -> Session | None:
        """Give a reading to the room's running session; None: it belongs to nobody."""
        session = self._running.get(room_id)
        if session is None:
            return None
        earliest = session.started_at - ATTRIBUTION_GRACE
        if (ended := self._last_ended.get(room_id)) is not None:
            earliest = max(earliest, ended)
        if reading.at < earliest:
            return None
        session.readings.append(reading)
        return session

    def as_dict(self) -> dict[str, dict[str, str]]:
        """Return the running sessions, for storage (readings stay in memory only)."""
        stored: dict[str, dict[str, str]] = {}
        for room_id, session in self._running.items():
            stored[room_id] = {
                "reference": session.reference,
                "started_at": session.started_at.isoformat(),
            }
            if session.recording_since is not None:
                stored[room_id]["recording_since"] = session.recording_since.isoformat()
        return stored

    @classmethod
    def from_dict(cls, data: Any, rooms: set[str]) -> SessionBook:
        """Read what as_dict wrote; sessions of rooms that no longer exist are dropped."""
        book = cls()
        if not isinstance(data, dict):
            return book
        for room_id, raw in data.items():
            if room_id not in rooms or not isinstance(raw, dict):
                continue
            try:
                started = datetime.fromisoformat(str(raw.get("started_at")))
                session = book.start(room_id, str(raw.get("reference", "")), started)
            except ValueError, SessionError:
                continue
            if isinstance(since := raw.get("recording_since"), str):
                try:
                    session.recording_since = datetime.fromisoformat(since)
                except ValueError:
                    # A broken time loses the recording's start, not the session.
                    session.recording_since = None
        return book
