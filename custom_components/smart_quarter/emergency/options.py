"""The site options page of the emergency subsystem: the care service's receivers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from ..mqtt_topic import is_publish_topic
from ..subsystem import OptionsStep
from .const import (
    CONF_CARE_MQTT_TOPIC,
    CONF_CARE_WEBHOOK_SECRET,
    CONF_CARE_WEBHOOK_URL,
    CONF_SIA_ACCOUNT,
    CONF_SIA_HOST,
    CONF_SIA_KEY,
    CONF_SIA_LINE,
    CONF_SIA_PORT,
    CONF_SIA_RECEIVER,
    DEFAULT_SIA_PORT,
    MIN_WEBHOOK_SECRET_LENGTH,
)
from .sia_dc09 import SiaAccount, SiaError

_SECRETS = frozenset({CONF_CARE_WEBHOOK_SECRET, CONF_SIA_KEY})
_TEXT_FIELDS = (
    CONF_CARE_WEBHOOK_URL,
    CONF_CARE_WEBHOOK_SECRET,
    CONF_CARE_MQTT_TOPIC,
    CONF_SIA_HOST,
    CONF_SIA_ACCOUNT,
    CONF_SIA_LINE,
    CONF_SIA_RECEIVER,
    CONF_SIA_KEY,
)


def _schema(hass: HomeAssistant) -> probatio.Schema:
    password = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    return probatio.Schema(
        {
            probatio.Optional(CONF_CARE_WEBHOOK_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            probatio.Optional(CONF_CARE_WEBHOOK_SECRET): password,
            probatio.Optional(CONF_CARE_MQTT_TOPIC): TextSelector(),
            probatio.Optional(CONF_SIA_HOST): TextSelector(),
            probatio.Optional(CONF_SIA_PORT, default=DEFAULT_SIA_PORT): NumberSelector(
                NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
            ),
            probatio.Optional(CONF_SIA_ACCOUNT): TextSelector(),
            probatio.Optional(CONF_SIA_RECEIVER): TextSelector(),
            probatio.Optional(CONF_SIA_LINE): TextSelector(),
            probatio.Optional(CONF_SIA_KEY): password,
        }
    )


def _validate(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    text = {key: str(user_input.get(key) or "").strip() for key in _TEXT_FIELDS}
    for key in (CONF_SIA_ACCOUNT, CONF_SIA_LINE, CONF_SIA_RECEIVER):
        text[key] = text[key].upper()
    url = text[CONF_CARE_WEBHOOK_URL]
    errors: dict[str, str] = {}
    if text[CONF_CARE_MQTT_TOPIC] and not is_publish_topic(text[CONF_CARE_MQTT_TOPIC]):
        errors[CONF_CARE_MQTT_TOPIC] = "invalid_topic"
    if url:
        if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
            errors[CONF_CARE_WEBHOOK_URL] = "invalid_url"
        elif len(text[CONF_CARE_WEBHOOK_SECRET]) < MIN_WEBHOOK_SECRET_LENGTH:
            errors[CONF_CARE_WEBHOOK_SECRET] = "secret_too_short"
    else:
        text[CONF_CARE_WEBHOOK_SECRET] = ""
    if text[CONF_SIA_HOST]:
        errors.update(_sia_errors(text))
    options: dict[str, Any] = {
        **text,
        CONF_SIA_PORT: int(user_input.get(CONF_SIA_PORT) or DEFAULT_SIA_PORT),
    }
    return options, errors


def _sia_errors(text: dict[str, str]) -> dict[str, str]:
    try:
        SiaAccount(
            text[CONF_SIA_ACCOUNT],
            line=text[CONF_SIA_LINE] or "0",
            receiver=text[CONF_SIA_RECEIVER] or None,
            key=text[CONF_SIA_KEY] or None,
        )
    except SiaError as err:
        field = {
            "invalid_account": CONF_SIA_ACCOUNT,
            "invalid_line": CONF_SIA_LINE,
            "invalid_receiver": CONF_SIA_RECEIVER,
        }.get(err.key, CONF_SIA_KEY)
        return {field: f"sia_{err.key}"}
    return {}


CARE_RECEIVERS_STEP = OptionsStep("care_receivers", _schema, _validate, _SECRETS)
