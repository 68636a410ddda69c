"""Every path of the site config flow, its reconfigure step and the options flow."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import CONF_LOCATION, CONF_MQTT_BASE_TOPIC, DOMAIN
from custom_components.smart_quarter.telemedicine.const import SUBENTRY_TYPE_ROOM

CROSSEN = {CONF_LATITUDE: 50.9631, CONF_LONGITUDE: 12.0433}


def _suggested(result: dict, key: str) -> object:
    for field in result["data_schema"].schema:
        if field == key:
            return (field.description or {})["suggested_value"]
    raise KeyError(key)


async def test_user_flow_creates_site(hass: HomeAssistant) -> None:
    """A new site gets the name, the location and a topic prefix derived from the name."""
    hass.config.location_name = "Zuhause"
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert _suggested(result, CONF_NAME) == "Zuhause"
    assert _suggested(result, CONF_LOCATION) == {
        CONF_LATITUDE: hass.config.latitude,
        CONF_LONGITUDE: hass.config.longitude,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "  Crossen an der Elster ", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Crossen an der Elster"
    assert result["data"] == {CONF_NAME: "Crossen an der Elster", **CROSSEN}
    assert result["options"] == {CONF_MQTT_BASE_TOPIC: "smart_quarter/crossen_an_der_elster"}
    assert result["result"].unique_id == "crossen_an_der_elster"


async def test_user_flow_rejects_a_name_without_letters(hass: HomeAssistant) -> None:
    """A name that slugifies to nothing is an error on the field, and the flow recovers."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: " -- ", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    assert _suggested(result, CONF_NAME) == " -- "

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Crossen", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_aborts_for_an_existing_site(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """One config entry per site: the same name (in any spelling) aborts."""
    site_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "jena lobeda", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_renames_and_moves_the_site(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """Reconfigure shows the current values, then updates title, unique id and location."""
    result = await loaded_site.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_NAME) == "Jena-Lobeda"
    assert _suggested(result, CONF_LOCATION) == {
        CONF_LATITUDE: 50.8876,
        CONF_LONGITUDE: 11.6134,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Lobeda-West", CONF_LOCATION: CROSSEN}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_site.title == "Lobeda-West"
    assert loaded_site.unique_id == "lobeda_west"
    assert loaded_site.data == {CONF_NAME: "Lobeda-West", **CROSSEN}
    site_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, loaded_site.entry_id), loaded_site.entry_id
    )
    assert site_device is not None
    assert site_device.name == "Lobeda-West"
    # The subentries survive a reconfigure.
    assert [s.subentry_type for s in loaded_site.subentries.values()] == [SUBENTRY_TYPE_ROOM]


async def test_reconfigure_keeping_the_name_is_allowed(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """The site's own name is not 'in use' by another site."""
    site_entry.add_to_hass(hass)
    result = await site_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Jena-Lobeda", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert site_entry.data[CONF_LATITUDE] == CROSSEN[CONF_LATITUDE]


async def test_reconfigure_refuses_another_sites_name(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Renaming onto another site's name is an error; an empty name too."""
    site_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, title="Crossen", unique_id="crossen").add_to_hass(hass)
    result = await site_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "CROSSEN", CONF_LOCATION: CROSSEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_in_use"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "  ", CONF_LOCATION: CROSSEN}
    )
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    assert site_entry.title == "Jena-Lobeda"


async def _options_page(hass: HomeAssistant, entry: MockConfigEntry, page: str) -> dict:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "site",
        "care_receivers",
        "telemedicine",
        "open_data",
        "booking",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": page}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == page
    return result


async def test_options_flow_changes_the_topic_and_reloads(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """Valid topics are stored trimmed; the site reloads to apply them."""
    result = await _options_page(hass, loaded_site, "site")
    assert _suggested(result, CONF_MQTT_BASE_TOPIC) == "smart_quarter/jena_lobeda"
    runtime_before = loaded_site.runtime_data

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MQTT_BASE_TOPIC: " sq/lobeda "}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_site.options == {CONF_MQTT_BASE_TOPIC: "sq/lobeda", "staff_users": []}
    assert loaded_site.runtime_data is not runtime_before


async def test_options_flow_names_staff(
    hass: HomeAssistant, site_entry: MockConfigEntry, hass_owner_user: object
) -> None:
    """Staff are chosen from the people of this Home Assistant; others are refused."""
    site_entry.add_to_hass(hass)
    nurse = await hass.auth.async_create_user("Schwester Anna", group_ids=["system-users"])
    result = await _options_page(hass, site_entry, "site")
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_MQTT_BASE_TOPIC: "sq/lobeda", "staff_users": ["nobody"]}
        )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MQTT_BASE_TOPIC: "sq/lobeda", "staff_users": [nurse.id]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options["staff_users"] == [nurse.id]


async def test_options_flow_rejects_bad_topics(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Wildcards, spaces, empty levels and '$' topics are errors; nothing is stored."""
    site_entry.add_to_hass(hass)
    result = await _options_page(hass, site_entry, "site")
    for bad in ("", "a/#", "a/+/b", "a b", "/a", "a/", "a//b", "$SYS/x"):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_MQTT_BASE_TOPIC: bad}
        )
        assert result["type"] is FlowResultType.FORM, bad
        assert result["errors"] == {CONF_MQTT_BASE_TOPIC: "invalid_topic"}, bad
    assert site_entry.options == {CONF_MQTT_BASE_TOPIC: "smart_quarter/jena_lobeda"}


async def test_options_flow_refuses_another_sites_topic(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Two sites on one topic would take each other's emergency calls."""
    site_entry.add_to_hass(hass)
    MockConfigEntry(
        domain=DOMAIN,
        title="Crossen",
        unique_id="crossen",
        options={CONF_MQTT_BASE_TOPIC: "smart_quarter/crossen"},
    ).add_to_hass(hass)
    result = await _options_page(hass, site_entry, "site")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MQTT_BASE_TOPIC: "smart_quarter/crossen"}
    )
    assert result["errors"] == {CONF_MQTT_BASE_TOPIC: "topic_in_use"}


async def test_options_flow_unknown_page(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    """Only the site's and the subsystems' pages exist."""
    site_entry.add_to_hass(hass)
    flow = hass.config_entries.options._progress
    result = await hass.config_entries.options.async_init(site_entry.entry_id)
    handler = flow[result["flow_id"]]
    assert callable(handler.async_step_care_receivers)
    with pytest.raises(AttributeError):
        _ = handler.async_step_nothing
    with pytest.raises(AttributeError):
        _ = handler.care_receivers


async def test_options_flow_care_receivers(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Webhook, MQTT topic and SIA DC-09 receiver: each checked, stored cleanly."""
    site_entry.add_to_hass(hass)
    result = await _options_page(hass, site_entry, "care_receivers")
    for data, error in (
        ({"care_mqtt_topic": "pflege/#"}, {"care_mqtt_topic": "invalid_topic"}),
        ({"care_webhook_url": "ftp://pflege.example"}, {"care_webhook_url": "invalid_url"}),
        ({"care_webhook_url": "https://"}, {"care_webhook_url": "invalid_url"}),
        (
            {"care_webhook_url": "https://pflege.example/alarm", "care_webhook_secret": "short"},
            {"care_webhook_secret": "secret_too_short"},
        ),
        ({"sia_host": "arc.example", "sia_account": "XYZ"}, {"sia_account": "sia_invalid_account"}),
        (
            {"sia_host": "arc.example", "sia_account": "1234", "sia_line": "L1"},
            {"sia_line": "sia_invalid_line"},
        ),
        (
            {"sia_host": "arc.example", "sia_account": "1234", "sia_receiver": "1234567"},
            {"sia_receiver": "sia_invalid_receiver"},
        ),
        (
            {"sia_host": "arc.example", "sia_account": "1234", "sia_key": "0123"},
            {"sia_key": "sia_invalid_key"},
        ),
    ):
        result = await hass.config_entries.options.async_configure(result["flow_id"], data)
        assert result["errors"] == error, data
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "care_webhook_url": " https://pflege.example/alarm ",
            "care_webhook_secret": "0123456789abcdef",
            "care_mqtt_topic": "pflege/alarme",
            "sia_host": " arc.example ",
            "sia_port": 12000.0,
            "sia_account": "ab12",
            "sia_receiver": "1",
            "sia_key": "AAAAAAAAAAAAAAAA",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options == {
        CONF_MQTT_BASE_TOPIC: "smart_quarter/jena_lobeda",
        "care_webhook_url": "https://pflege.example/alarm",
        "care_webhook_secret": "0123456789abcdef",
        "care_mqtt_topic": "pflege/alarme",
        "sia_host": "arc.example",
        "sia_port": 12000,
        "sia_account": "AB12",
        "sia_receiver": "1",
        "sia_line": "",
        "sia_key": "AAAAAAAAAAAAAAAA",
    }


async def test_options_flow_without_webhook_forgets_its_secret(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """A secret without an address is not kept."""
    site_entry.add_to_hass(hass)
    result = await _options_page(hass, site_entry, "care_receivers")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"care_webhook_secret": "0123456789abcdef"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options["care_webhook_secret"] == ""
    assert site_entry.options["sia_port"] == 10001


async def test_options_flow_never_shows_stored_secrets(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """The webhook secret and SIA key are not sent to the browser; empty keeps them."""
    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry,
        options={
            **site_entry.options,
            "care_webhook_url": "https://pflege.example/alarm",
            "care_webhook_secret": "0123456789abcdef",
            "sia_host": "arc.example",
            "sia_account": "1234",
            "sia_key": "AAAAAAAAAAAAAAAA",
        },
    )
    result = await _options_page(hass, site_entry, "care_receivers")
    assert _suggested(result, "care_webhook_url") == "https://pflege.example/alarm"
    for secret in ("care_webhook_secret", "sia_key"):
        with pytest.raises(KeyError):
            _suggested(result, secret)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "care_webhook_url": "https://pflege.example/alarm",
            "sia_host": "arc.example",
            "sia_account": "1234",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options["care_webhook_secret"] == "0123456789abcdef"
    assert site_entry.options["sia_key"] == "AAAAAAAAAAAAAAAA"


async def test_options_flow_open_data(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    """The open data platform's address is checked; the token is kept when left empty."""
    site_entry.add_to_hass(hass)
    result = await _options_page(hass, site_entry, "open_data")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"open_data_url": "ftp://frost.example"}
    )
    assert result["errors"] == {"open_data_url": "invalid_url"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"open_data_url": "https://frost.example/v1.1/", "open_data_token": "t0ken"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options["open_data_url"] == "https://frost.example/v1.1"
    result = await _options_page(hass, site_entry, "open_data")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"open_data_url": "https://frost.example/v1.1"}
    )
    assert site_entry.options["open_data_token"] == "t0ken"
    assert site_entry.options["open_data_minutes"] == 10


async def test_options_flow_open_data_mqtt_and_mappings(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    site_entry.add_to_hass(hass)
    result = await _options_page(hass, site_entry, "open_data")
    base = {"open_data_url": "https://frost.example/v1.1"}
    for extra, error in (
        ({"open_data_mqtt": "tcp://frost.example"}, {"open_data_mqtt": "invalid_mqtt_url"}),
        ({"open_data_ids": ["Nord cooling 1"]}, {"open_data_ids": "invalid_mapping"}),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, **extra}
        )
        assert result["errors"] == error, extra
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **base,
            "open_data_mqtt": "mqtt://frost.example:1883",
            "open_data_ids": ["Fassade Nord/cooling = 17", ""],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site_entry.options["open_data_ids"] == ["Fassade Nord/cooling = 17"]
