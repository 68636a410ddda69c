"""The smart-home part of the apartment form: which of the gateway's apartments this is."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers.selector import TextSelector
import probatio

from ..subentry_flow import SectionContext, SubentrySection
from .const import CONF_GATEWAY_APARTMENT, SECTION
from .gateway_protocol import valid_id


def _schema(_context: SectionContext) -> probatio.Schema:
    return probatio.Schema({probatio.Optional(CONF_GATEWAY_APARTMENT): TextSelector()})


def _errors(data: dict[str, Any]) -> dict[str, str]:
    gateway_id = data.get(CONF_GATEWAY_APARTMENT)
    if gateway_id and not valid_id(gateway_id):
        return {"base": "invalid_gateway_apartment"}
    return {}


def _normalize(data: dict[str, Any]) -> dict[str, Any]:
    return data


APARTMENT_SECTION = SubentrySection(SECTION, _schema, validate=_errors, normalize=_normalize)
