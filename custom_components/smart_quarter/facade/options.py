"""The site options page of the façade subsystem: the open data platform."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from ..subsystem import OptionsStep
from .sensorthings import KINDS

CONF_OPEN_DATA_URL = "open_data_url"
CONF_OPEN_DATA_TOKEN = "open_data_token"  # noqa: S105 - an option key
CONF_OPEN_DATA_MINUTES = "open_data_minutes"
CONF_OPEN_DATA_KINDS = "open_data_kinds"
DEFAULT_MINUTES = 10


def _schema(hass: HomeAssistant) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Optional(CONF_OPEN_DATA_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            probatio.Optional(CONF_OPEN_DATA_TOKEN): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
            probatio.Optional(CONF_OPEN_DATA_MINUTES, default=DEFAULT_MINUTES): NumberSelector(
                NumberSelectorConfig(
                    min=1, max=1440, step=1, unit_of_measurement="min", mode=NumberSelectorMode.BOX
                )
            ),
            probatio.Optional(CONF_OPEN_DATA_KINDS, default=list(KINDS)): SelectSelector(
                SelectSelectorConfig(
                    options=list(KINDS), multiple=True, translation_key="open_data_kind"
                )
            ),
        }
    )


def _validate(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    url = str(user_input.get(CONF_OPEN_DATA_URL) or "").strip().rstrip("/")
    token = str(user_input.get(CONF_OPEN_DATA_TOKEN) or "").strip()
    token = token or str(entry.options.get(CONF_OPEN_DATA_TOKEN) or "")  # empty: keep
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        return {}, {CONF_OPEN_DATA_URL: "invalid_url"}
    return {
        CONF_OPEN_DATA_URL: url,
        CONF_OPEN_DATA_TOKEN: token if url else "",
        CONF_OPEN_DATA_MINUTES: int(user_input.get(CONF_OPEN_DATA_MINUTES) or DEFAULT_MINUTES),
        CONF_OPEN_DATA_KINDS: list(user_input.get(CONF_OPEN_DATA_KINDS) or list(KINDS)),
    }, {}


OPEN_DATA_STEP = OptionsStep("open_data", _schema, _validate, frozenset({CONF_OPEN_DATA_TOKEN}))
