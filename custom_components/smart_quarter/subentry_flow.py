"""The base of every subentry flow: a named thing on a site, added and reconfigured with one form.

A subsystem's flow sets `schema` (which must hold CONF_NAME) and may override `validate` for
checks of its own; names are unique per subentry type within a site, text is trimmed and empty
optional fields are dropped so that the stored data stays clean.

Another subsystem can extend a subentry type it does not own with a `SubentrySection`: a
collapsible part of the same form whose values are stored under the section's key (booking
adds opening hours to a telemedicine room, stays to an apartment). The owner's flow never
needs to know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from homeassistant.config_entries import ConfigEntry, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.data_entry_flow import section
import probatio

from .staff import async_selectable_users


@dataclass(frozen=True, slots=True)
class SectionContext:
    """What a section's form may list: the people of this Home Assistant (id -> name)."""

    users: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SubentrySection:
    """Fields a subsystem adds to another subsystem's subentry form, stored under `key`.

    `validate` returns error keys (shown for the whole form, as sections have no field
    errors); `normalize` brings the section's values into their stored form.
    """

    key: str
    schema: Callable[[SectionContext], probatio.Schema]
    validate: Callable[[dict[str, Any]], dict[str, str]]
    normalize: Callable[[dict[str, Any]], dict[str, Any]]


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

    sections: ClassVar[tuple[SubentrySection, ...]] = ()
    """Parts other subsystems add to this form (see `with_sections`)."""

    _section_context: SectionContext | None = None

    @classmethod
    def with_sections(cls, sections: tuple[SubentrySection, ...]) -> type[SiteSubentryFlow]:
        """Return this flow with other subsystems' sections added (itself when there are none)."""
        if not sections:
            return cls
        return type(
            cls.__name__,
            (cls,),
            {"sections": sections, "__doc__": cls.__doc__, "__module__": cls.__module__},
        )

    @classmethod
    def data_for(cls, context: SectionContext, user_input: dict[str, Any]) -> dict[str, Any]:
        """Return what the form would store for this input, defaults filled in.

        For subentries added without the form (apartments a gateway announced): the same
        schema, sections and normalization as a technician's entry, so both look alike.
        """
        flow = cls()
        flow._section_context = context
        return flow._normalized(flow._full_schema()(user_input))

    def form_schema(self) -> probatio.Schema:
        """Return the form; the class's schema unless it depends on what exists now."""
        return self.schema

    def _full_schema(self) -> probatio.Schema:
        schema = self.form_schema()
        if not self.sections or self._section_context is None:
            return schema
        return schema.extend(
            {
                probatio.Optional(part.key, default={}): section(
                    part.schema(self._section_context), {"collapsed": True}
                )
                for part in self.sections
            }
        )

    async def _async_prepare(self) -> None:
        if self.sections and self._section_context is None:
            self._section_context = SectionContext(await async_selectable_users(self.hass))

    def _normalized(self, user_input: dict[str, Any]) -> dict[str, Any]:
        data = self.normalize(clean_user_input(user_input))
        for part in self.sections:
            data[part.key] = part.normalize(dict(data.get(part.key) or {}))
        return data

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
        await self._async_prepare()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = self._normalized(user_input)
            errors = self._errors(data, ignore_subentry_id=None) or await self.async_test(data)
            if not errors:
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(self._full_schema(), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the form filled with the current data, then update the subentry.

        The device and the entities stay (their ids hang on the subentry id); the site reloads.
        """
        await self._async_prepare()
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = self._normalized(user_input)
            errors = self._errors(data, subentry.subentry_id) or await self.async_test(data)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data[CONF_NAME], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                self._full_schema(), user_input or dict(subentry.data)
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
        errors = self.validate(data)
        for part in self.sections:
            errors |= part.validate(data.get(part.key, {}))
        return errors


def clean_user_input(user_input: dict[str, Any]) -> dict[str, Any]:
    """Trim text and drop empty optional text fields (also in sections); others pass unchanged."""
    cleaned: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, dict):
            cleaned[key] = clean_user_input(value)
        elif isinstance(value, str):
            text = value.strip()
            if text or key == CONF_NAME:
                cleaned[key] = text
        else:
            cleaned[key] = value
    return cleaned
