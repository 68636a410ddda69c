"""What the emergency subsystem tells people: notifications, phone alerts, technician notices.

Texts come from the integration's translations ("exceptions" section) in the system language,
loaded into the cache at set-up so that callbacks can use them; English where a text is not
translated.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_exception_message,
    async_get_translations,
)

from ..const import DOMAIN
from .const import TAKE_ACTION_PREFIX

_LOGGER = logging.getLogger(__name__)


class Notices:
    """Texts and notifications of one site."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Bind to Home Assistant."""
        self.hass = hass

    async def async_load(self) -> None:
        """Load the texts into the translation cache (call at set-up)."""
        await async_get_translations(self.hass, self.hass.config.language, "exceptions", {DOMAIN})

    def text(self, key: str, placeholders: dict[str, str]) -> str:
        """Return a text in the system language."""
        texts = async_get_cached_translations(
            self.hass, self.hass.config.language, "exceptions", DOMAIN
        )
        text = texts.get(f"component.{DOMAIN}.exceptions.{key}.message")
        if text is None:  # not translated to this language: English
            return async_get_exception_message(DOMAIN, key, placeholders)
        return text.format(**placeholders)

    @callback
    def show(self, notification_id: str, key: str, placeholders: dict[str, str]) -> None:
        """Show a Home Assistant notification with the texts '<key>_title' and '<key>_message'."""
        persistent_notification.async_create(
            self.hass,
            self.text(f"{key}_message", placeholders),
            title=self.text(f"{key}_title", placeholders),
            notification_id=notification_id,
        )

    @callback
    def dismiss(self, notification_id: str) -> None:
        """Take a notification back."""
        persistent_notification.async_dismiss(self.hass, notification_id)

    @callback
    def technician(self, notice_id: str, key: str | None, placeholders: dict[str, str]) -> None:
        """Show (key: texts 'technician_<key>_title/_message') or take back (None) a notice."""
        notification_id = f"{DOMAIN}_{notice_id}"
        if key is None:
            self.dismiss(notification_id)
        else:
            self.show(notification_id, f"technician_{key}", placeholders)

    async def async_alert_phone(
        self,
        service: str,
        alarm_id: str,
        device_id: str | None,
        placeholders: dict[str, str],
    ) -> None:
        """Send an alarm to a notify action, with 'Übernehmen' for the Home Assistant app."""
        data: dict[str, Any] = {
            "tag": f"{DOMAIN}_{alarm_id}",
            "priority": "high",
            "ttl": 0,
            "push": {"interruption-level": "critical"},
        }
        if device_id is not None:
            data["actions"] = [
                {
                    # The alarm's id too: an old notification must not take a newer alarm.
                    "action": f"{TAKE_ACTION_PREFIX}{device_id}_{alarm_id}",
                    "title": self.text("take_action_title", {}),
                }
            ]
        try:
            await self.hass.services.async_call(
                "notify",
                service,
                {
                    "title": self.text("alarm_notification_title", placeholders),
                    "message": self.text("alarm_notification_message", placeholders),
                    "data": data,
                },
                blocking=True,
            )
        except Exception:
            # The alarm goes on (repeats, other targets, undeliverable): say it loudly.
            _LOGGER.exception("Could not send alarm %s to notify.%s", alarm_id, service)

    async def async_clear_phone(self, service: str, alarm_id: str) -> None:
        """Take an alarm's notification off a phone (it was taken or closed)."""
        try:
            await self.hass.services.async_call(
                "notify",
                service,
                {"message": "clear_notification", "data": {"tag": f"{DOMAIN}_{alarm_id}"}},
                blocking=True,
            )
        except Exception:  # noqa: BLE001 - a stale notification is harmless: it cannot take
            _LOGGER.warning("Could not clear alarm %s from notify.%s", alarm_id, service)
