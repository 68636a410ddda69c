"""The site options page of the façade subsystem: the open data platform."""

from __future__ import annotations

import re
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
CONF_OPEN_DATA_IDS = "open_data_ids"
CONF_OPEN_DATA_MQTT = "open_data_mqtt"
_MAPPING_RE = re.compile(r"^(?P<facade>[^/=]+)/(?P<kind>\w+)\s*=\s*(?P<id>\S+)$")


def parse_mappings(lines: list[str]) -> dict[tuple[str, str], int | str]:
    """Read "<façade name>/<kind> = <Datastream id>" lines (ValueError for a bad line)."""
    mappings: dict[tuple[str, str], int | str] = {}
    for line in lines:
        if not line.strip():
            continue
        match = _MAPPING_RE.match(line.strip())
        if match is None or match["kind"] not in KINDS:
            raise ValueError(line)
        raw = match["id"]
        mappings[(match["facade"].strip(), match["kind"])] = int(raw) if raw.isdigit() else raw
    return mappings


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
            probatio.Optional(CONF_OPEN_DATA_MQTT): TextSelector(),
            probatio.Optional(CONF_OPEN_DATA_IDS, default=[]): TextSelector(
                TextSelectorConfig(multiple=True)
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
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        return {}, {CONF_OPEN_DATA_URL: "invalid_url"}
    broker = str(user_input.get(CONF_OPEN_DATA_MQTT) or "").strip()
    if broker and (urlparse(broker).scheme != "mqtt" or not urlparse(broker).hostname):
        return {}, {CONF_OPEN_DATA_MQTT: "invalid_mqtt_url"}
    ids = [
        str(line).strip() for line in user_input.get(CONF_OPEN_DATA_IDS) or [] if str(line).strip()
    ]
    try:
        parse_mappings(ids)
    except ValueError:
        return {}, {CONF_OPEN_DATA_IDS: "invalid_mapping"}
    return {
        CONF_OPEN_DATA_URL: url,
        CONF_OPEN_DATA_TOKEN: token if url else "",
        CONF_OPEN_DATA_MINUTES: int(user_input.get(CONF_OPEN_DATA_MINUTES) or DEFAULT_MINUTES),
        CONF_OPEN_DATA_KINDS: list(user_input.get(CONF_OPEN_DATA_KINDS) or list(KINDS)),
        CONF_OPEN_DATA_MQTT: broker,
        CONF_OPEN_DATA_IDS: ids,
    }, {}


OPEN_DATA_STEP = OptionsStep("open_data", _schema, _validate, frozenset({CONF_OPEN_DATA_TOKEN}))
