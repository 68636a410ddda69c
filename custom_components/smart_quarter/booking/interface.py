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
- `stay_cleaning_hours(apartment data)`: whether an apartment takes stays and how long it is
  cleaned after one (the smart home turns the apartment's mode from cleaning to vacant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ..const import DOMAIN
from .settings import CONF_BOOKABLE, CONF_CLEANING_HOURS, SECTION_APARTMENT

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


def stay_cleaning_hours(apartment: Mapping[str, Any]) -> float | None:
    """Return the hours an apartment is cleaned after a stay; None if it takes no stays."""
    stays = apartment.get(SECTION_APARTMENT) or {}
    if not stays.get(CONF_BOOKABLE):
        return None
    try:
        return max(0.0, float(stays.get(CONF_CLEANING_HOURS, 3)))
    except TypeError, ValueError:
        return 3.0
