"""The site's receivers and escalation steps, read from its options and subentries."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .channels import SiaReceiver
from .const import (
    CONF_ACK_TIMEOUT,
    CONF_POSITION,
    CONF_SIA_ACCOUNT,
    CONF_SIA_HOST,
    CONF_SIA_KEY,
    CONF_SIA_LINE,
    CONF_SIA_PORT,
    CONF_SIA_RECEIVER,
    CONF_TARGETS,
    DEFAULT_ACK_TIMEOUT,
    DEFAULT_SIA_PORT,
    RECEIVER_TARGETS,
    SUBENTRY_TYPE_ESCALATION_STEP,
    TARGET_PERSISTENT_NOTIFICATION,
)
from .escalation import EscalationPolicy, build_policy
from .escalation_flow import RECEIVER_OPTION
from .sia_dc09 import SiaAccount

_LOGGER = logging.getLogger(__name__)


def site_policy(entry: ConfigEntry) -> EscalationPolicy:
    """Return the site's escalation steps; receivers that are not configured are left out."""
    options = entry.options
    configured = [target for target in RECEIVER_TARGETS if options.get(RECEIVER_OPTION[target])]
    steps = []
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_TYPE_ESCALATION_STEP:
            continue
        targets = [
            target
            for target in subentry.data.get(CONF_TARGETS, [])
            if target not in RECEIVER_TARGETS or target in configured
        ]
        if len(targets) < len(subentry.data.get(CONF_TARGETS, [])):
            _LOGGER.error(
                "Escalation step %s of %s names a receiver that is not configured",
                subentry.title,
                entry.title,
            )
        steps.append(
            (
                int(subentry.data.get(CONF_POSITION, 1)),
                targets or [TARGET_PERSISTENT_NOTIFICATION],
                int(subentry.data.get(CONF_ACK_TIMEOUT, DEFAULT_ACK_TIMEOUT)),
            )
        )
    return build_policy(steps, [TARGET_PERSISTENT_NOTIFICATION, *configured])


def sia_receiver(options: Mapping[str, Any]) -> SiaReceiver | None:
    """Return the site's SIA DC-09 receiver, if configured (validated by the options flow)."""
    if not options.get(CONF_SIA_HOST):
        return None
    return SiaReceiver(
        options[CONF_SIA_HOST],
        int(options.get(CONF_SIA_PORT, DEFAULT_SIA_PORT)),
        SiaAccount(
            options[CONF_SIA_ACCOUNT],
            line=options.get(CONF_SIA_LINE) or "0",
            receiver=options.get(CONF_SIA_RECEIVER) or None,
            key=options.get(CONF_SIA_KEY) or None,
        ),
    )
