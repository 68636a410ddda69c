"""The base of every subentry flow: a named thing on a site, added and reconfigured with one form.

A subsystem's flow sets `schema` (which must hold CONF_NAME) and may override `validate` for
checks of its own; names are unique per subentry type within a site, text is trimmed and empty
optional fields are dropped so that the stored data stays clean.
"""

from __future__ import annotations

from typing import Any, ClassVar

from homeassistant.config_entries import ConfigEntry, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
import probatio


def name_in_use(
    entry: ConfigEntry,
    subentry_type: str,
    name: str,
    *,
    ignore_subentry_id: str | None = None,
) -> bool:
    """Return True when another subentry of this type on the site already has the name."""
    wanted = name.casefold()
    return any(
        subentry.title.casefold() == wanted
        for subentry in entry.subentries.values()
        if subentry.subentry_type == subentry_type and subentry.subentry_id != ignore_subentry_id
    )


class SiteSubentryFlow(ConfigSubentryFlow):
    """Add (step "user") or change (step "reconfigure") one named subentry."""

    schema: ClassVar[probatio.Schema]

    creates_device: ClassVar[bool] = True
    """False for settings-only subentries (an escalation step), which get no device."""

    def form_schema(self) -> probatio.Schema:
        """Return the form; the class's schema unless it depends on what exists now."""
        return self.schema

    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        """Bring cleaned input into its stored form (types, lists); unchanged by default."""
        return data

    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        """Return field -> error key for problems beyond the name; none by default."""
        return {}

    async def async_test(self, data: dict[str, Any]) -> dict[str, str]:
        """Try what the subentry talks to (after validate passed); none by default."""
        return {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Show the form, then create the subentry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = self.normalize(clean_user_input(user_input))
            errors = self._errors(data, ignore_subentry_id=None) or await self.async_test(data)
            if not errors:
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(self.form_schema(), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the form filled with the current data, then update the subentry.

        The device and the entities stay (their ids hang on the subentry id); the site reloads.
        """
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = self.normalize(clean_user_input(user_input))
            errors = self._errors(data, subentry.subentry_id) or await self.async_test(data)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data[CONF_NAME], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                self.form_schema(), user_input or dict(subentry.data)
            ),
            errors=errors,
        )

    def _errors(self, data: dict[str, Any], ignore_subentry_id: str | None) -> dict[str, str]:
        if not data.get(CONF_NAME):
            return {CONF_NAME: "name_required"}
        if name_in_use(
            self._get_entry(),
            self._subentry_type,
            data[CONF_NAME],
            ignore_subentry_id=ignore_subentry_id,
        ):
            return {CONF_NAME: "name_in_use"}
        return self.validate(data)


def clean_user_input(user_input: dict[str, Any]) -> dict[str, Any]:
    """Trim text and drop empty optional text fields; other values pass unchanged."""
    cleaned: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, str):
            text = value.strip()
            if text or key == CONF_NAME:
                cleaned[key] = text
        else:
            cleaned[key] = value
    return cleaned
