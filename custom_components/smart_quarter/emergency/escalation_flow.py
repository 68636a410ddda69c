"""The subentry flow of an escalation step: whom to alarm, in which order, how long to wait."""

from __future__ import annotations

from typing import Any, ClassVar, override

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from ..subentry_flow import SiteSubentryFlow
from .const import (
    CONF_ACK_TIMEOUT,
    CONF_CARE_MQTT_TOPIC,
    CONF_CARE_WEBHOOK_URL,
    CONF_POSITION,
    CONF_SIA_HOST,
    CONF_TARGETS,
    DEFAULT_ACK_TIMEOUT,
    MAX_ACK_TIMEOUT,
    MAX_STEPS,
    SUBENTRY_TYPE_ESCALATION_STEP,
    TARGET_MQTT,
    TARGET_PERSISTENT_NOTIFICATION,
    TARGET_SIA,
    TARGET_WEBHOOK,
)

FIXED_TARGETS = (TARGET_PERSISTENT_NOTIFICATION, TARGET_WEBHOOK, TARGET_MQTT, TARGET_SIA)
RECEIVER_OPTION = {
    TARGET_WEBHOOK: CONF_CARE_WEBHOOK_URL,
    TARGET_MQTT: CONF_CARE_MQTT_TOPIC,
    TARGET_SIA: CONF_SIA_HOST,
}


def step_schema(notify_targets: list[str], next_position: int) -> probatio.Schema:
    """Return the form of a step: the fixed targets plus the notify actions there are now."""
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_POSITION, default=next_position): NumberSelector(
                NumberSelectorConfig(min=1, max=MAX_STEPS, step=1, mode=NumberSelectorMode.BOX)
            ),
            probatio.Required(CONF_TARGETS): SelectSelector(
                SelectSelectorConfig(
                    options=[*FIXED_TARGETS, *notify_targets],
                    multiple=True,
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                    translation_key="escalation_target",
                )
            ),
            probatio.Required(CONF_ACK_TIMEOUT, default=DEFAULT_ACK_TIMEOUT): NumberSelector(
                NumberSelectorConfig(
                    min=1,
                    max=MAX_ACK_TIMEOUT,
                    step=1,
                    unit_of_measurement="min",
                    mode=NumberSelectorMode.BOX,
                )
            ),
        }
    )


class EscalationStepSubentryFlow(SiteSubentryFlow):
    """Add or change one step of the site's escalation (ordered by position)."""

    creates_device: ClassVar[bool] = False
    schema = step_schema([], 1)  # the fields; the form lists the notify actions of now

    @override
    def form_schema(self) -> probatio.Schema:
        notify = sorted(
            f"notify.{service}"
            for service in self.hass.services.async_services_for_domain("notify")
            if service not in ("send_message", "persistent_notification")
        )
        return step_schema(notify, self._next_position())

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        targets = [str(target).strip() for target in data.get(CONF_TARGETS, [])]
        return {
            **data,
            CONF_POSITION: int(data.get(CONF_POSITION, 1)),
            CONF_TARGETS: list(dict.fromkeys(target for target in targets if target)),
            CONF_ACK_TIMEOUT: int(data.get(CONF_ACK_TIMEOUT, DEFAULT_ACK_TIMEOUT)),
        }

    @override
    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        targets: list[str] = data[CONF_TARGETS]
        options = self._get_entry().options
        if not targets:
            return {CONF_TARGETS: "no_targets"}
        for target in targets:
            if target in RECEIVER_OPTION and not options.get(RECEIVER_OPTION[target]):
                return {CONF_TARGETS: "receiver_not_configured"}
            if target not in FIXED_TARGETS and not (
                target.startswith("notify.")
                and self.hass.services.has_service("notify", target.removeprefix("notify."))
            ):
                return {CONF_TARGETS: "unknown_notify_target"}
        if data[CONF_POSITION] in self._positions_in_use():
            return {CONF_POSITION: "position_in_use"}
        return {}

    def _positions_in_use(self) -> set[int]:
        editing = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        return {
            int(subentry.data.get(CONF_POSITION, 0))
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_type == SUBENTRY_TYPE_ESCALATION_STEP
            and subentry.subentry_id != editing
        }

    def _next_position(self) -> int:
        return min(max(self._positions_in_use(), default=0) + 1, MAX_STEPS)
