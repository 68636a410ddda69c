"""The site's telemedicine options page: the doctor's FHIR server and its token."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.telemedicine.options import CONF_FHIR_TOKEN, CONF_FHIR_URL

from ..test_config_flow import _options_page


async def test_fhir_server_is_checked_and_stored(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """Bad address and missing token are refused; the token is never shown; empty = none."""
    result = await _options_page(hass, loaded_site, "telemedicine")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FHIR_URL: "ftp://praxis", CONF_FHIR_TOKEN: "x"}
    )
    assert result["errors"] == {CONF_FHIR_URL: "invalid_url"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FHIR_URL: "https://fhir.praxis.example/r4/"}
    )
    assert result["errors"] == {CONF_FHIR_TOKEN: "token_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_FHIR_URL: "https://fhir.praxis.example/r4/", CONF_FHIR_TOKEN: " secret-1 "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_site.options[CONF_FHIR_URL] == "https://fhir.praxis.example/r4"
    assert loaded_site.options[CONF_FHIR_TOKEN] == "secret-1"
    await hass.async_block_till_done()

    # The stored token is not sent back to the browser; an empty field keeps it.
    result = await _options_page(hass, loaded_site, "telemedicine")
    suggested = {
        str(field): (field.description or {}).get("suggested_value")
        for field in result["data_schema"].schema
    }
    assert suggested[CONF_FHIR_TOKEN] is None
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FHIR_URL: "https://fhir.praxis.example/r4"}
    )
    assert loaded_site.options[CONF_FHIR_TOKEN] == "secret-1"
    await hass.async_block_till_done()

    # No server: nothing is sent and the token is forgotten.
    result = await _options_page(hass, loaded_site, "telemedicine")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert loaded_site.options[CONF_FHIR_URL] == ""
    assert loaded_site.options[CONF_FHIR_TOKEN] == ""
