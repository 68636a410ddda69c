"""The secret iCalendar links: `/api/smart_quarter/booking/feed/<token>.ics` per resource.

Practitioners subscribe to them in their own calendar programs, which cannot log in to Home
Assistant; the unguessable token (renewable from the panel) is the only key, so the feed
carries the consultation type and booking code, never contact data.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
import secrets
from typing import Final

from aiohttp import web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from .engine import Booking
from .ics import feed
from .subsystem import BookableResource, BookingSubsystem

URL_PREFIX: Final = f"/api/{DOMAIN}/booking/feed"
PAST = timedelta(days=31)
AHEAD = timedelta(days=366)


def feed_path(token: str) -> str:
    """Return the path of a resource's feed."""
    return f"{URL_PREFIX}/{token}.ics"


@callback
def async_setup_feed(hass: HomeAssistant) -> None:
    """Serve the feeds (once)."""
    hass.http.register_view(BookingFeedView())


class BookingFeedView(HomeAssistantView):
    """One resource's bookings as iCalendar, behind its secret token."""

    url = URL_PREFIX + "/{token}.ics"
    name = f"api:{DOMAIN}:booking_feed"
    requires_auth = False

    async def get(self, request: web.Request, token: str) -> web.Response:
        """Return the feed, or 404 for any token that is not current."""
        hass: HomeAssistant = request.app["hass"]
        entry: SmartQuarterConfigEntry
        for entry in hass.config_entries.async_entries(DOMAIN):
            if entry.state is not ConfigEntryState.LOADED:
                continue
            subsystem = entry.runtime_data.subsystem(BookingSubsystem)
            for resource_id, current in subsystem.feeds.items():
                if secrets.compare_digest(current, token) and resource_id in subsystem.resources:
                    resource = subsystem.resources[resource_id]
                    now = dt_util.utcnow()

                    def summary(booking: Booking, resource: BookableResource = resource) -> str:
                        return " · ".join(p for p in (resource.label(booking), booking.code) if p)

                    text = feed(
                        f"{entry.title} - {resource.subentry.title}",
                        resource.between(now - PAST, now + AHEAD),
                        now,
                        summary,
                    )
                    return web.Response(
                        body=text.encode(),
                        content_type="text/calendar",
                        charset="utf-8",
                        headers={"Cache-Control": "no-store"},
                    )
        return web.Response(status=HTTPStatus.NOT_FOUND)
