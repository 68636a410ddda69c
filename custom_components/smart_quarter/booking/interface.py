"""What the booking subsystem tells the rest of Home Assistant (a documented interface).

- Bus events for automations (recorded, so they carry no booking code or contact):
  `smart_quarter_appointment_started` / `smart_quarter_appointment_ended` (a room's appointment
  begins / its time is over) and `smart_quarter_checked_in` / `smart_quarter_checked_out`
  (a patient arrived for an appointment, a guest moved into or left an apartment). Data:
  `entry_id`, `resource_id` (the room's or apartment's subentry id), `resource_device_id`,
  `resource` (its name), `kind` ("room" or "apartment"), `booking_id`, `consultation_type`,
  `start`, `end`.
- A dispatcher signal inside Home Assistant, not recorded: `appointment_signal(entry_id)` sends
  an `AppointmentStarted` with the booking code, so the telemedicine room can open a
  consultation under the appointment's pseudonym when the room's booking settings ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ..const import DOMAIN

EVENT_APPOINTMENT_STARTED: Final = "smart_quarter_appointment_started"
EVENT_APPOINTMENT_ENDED: Final = "smart_quarter_appointment_ended"
EVENT_CHECKED_IN: Final = "smart_quarter_checked_in"
EVENT_CHECKED_OUT: Final = "smart_quarter_checked_out"


@dataclass(frozen=True, slots=True)
class AppointmentStarted:
    """A room's appointment begins."""

    resource_id: str
    booking_id: str
    reference: str
    """The booking code: the consultation's pseudonymous reference."""
    consultation_type: str | None
    start: datetime
    end: datetime
    start_session: bool
    """The room's setting: open a consultation for it."""


def appointment_signal(entry_id: str) -> str:
    """Return the dispatcher signal of a site's starting appointments."""
    return f"{DOMAIN}_booking_appointment_{entry_id}"
