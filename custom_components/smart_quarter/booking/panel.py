"""The booking panel in the sidebar and the Smart-TV card, served from the integration folder.

The bundles are built from frontend/src with npm and committed (frontend/dist), so a HACS
install needs no build. The static path is registered once (aiohttp cannot remove routes); the
panel appears with the first loaded site and goes with the last. A content hash in the URLs
makes browsers fetch a new bundle after an update.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from ..const import DOMAIN

DIST: Final = Path(__file__).parent.parent / "frontend" / "dist"
STATIC_URL: Final = f"/{DOMAIN}_static"
PANEL_URL_PATH: Final = "smart-quarter-booking"
PANEL_ELEMENT: Final = "smart-quarter-booking-panel"
PANEL_FILE: Final = "booking-panel.js"
CARD_FILE: Final = "next-booking-card.js"
_STATIC_KEY: Final = f"{DOMAIN}_booking_static"
_TITLES: Final = {"de": "Buchungen", "en": "Bookings"}


def _version() -> str:
    digest = hashlib.sha256()
    for name in (PANEL_FILE, CARD_FILE):
        digest.update((DIST / name).read_bytes())
    return digest.hexdigest()[:12]


async def async_show_panel(hass: HomeAssistant) -> None:
    """Serve the bundles (once) and show the panel in the sidebar (if not already shown)."""
    if _STATIC_KEY not in hass.data:
        version = await hass.async_add_executor_job(_version)
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(DIST), cache_headers=False)]
        )
        frontend.add_extra_js_url(hass, f"{STATIC_URL}/{CARD_FILE}?v={version}")
        hass.data[_STATIC_KEY] = version
    if PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
        return
    language = hass.config.language.split("-")[0]
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=_TITLES.get(language, _TITLES["en"]),
        sidebar_icon="mdi:calendar-clock",
        module_url=f"{STATIC_URL}/{PANEL_FILE}?v={hass.data[_STATIC_KEY]}",
        # Staff who are not administrators book too; the commands check who may do what.
        require_admin=False,
    )


def async_hide_panel(hass: HomeAssistant) -> None:
    """Take the panel out of the sidebar (the last site with bookings unloaded)."""
    frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
