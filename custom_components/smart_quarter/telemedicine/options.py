"""The site options page of the telemedicine subsystem: the remote doctor's FHIR server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType
import probatio

from ..subsystem import OptionsStep

CONF_FHIR_URL = "fhir_url"
CONF_FHIR_TOKEN = "fhir_token"  # noqa: S105 - an option key


def _schema(hass: HomeAssistant) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Optional(CONF_FHIR_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            probatio.Optional(CONF_FHIR_TOKEN): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
        }
    )


def _validate(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    url = str(user_input.get(CONF_FHIR_URL) or "").strip().rstrip("/")
    token = str(user_input.get(CONF_FHIR_TOKEN) or "").strip()
    parsed = urlparse(url)
    if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
        return {}, {CONF_FHIR_URL: "invalid_url"}
    if url and not token:
        return {}, {CONF_FHIR_TOKEN: "token_required"}
    return {CONF_FHIR_URL: url, CONF_FHIR_TOKEN: token if url else ""}, {}


FHIR_STEP = OptionsStep("telemedicine", _schema, _validate, frozenset({CONF_FHIR_TOKEN}))
