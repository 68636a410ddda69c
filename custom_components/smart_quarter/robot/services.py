"""Robot actions: go to, speak, stop, patrol, call the care service, show a page, follow."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from .goto import GotoOutcome
from .subsystem import Robot, RobotSubsystem

ATTR_LOCATION: Final = "location"
ATTR_LOCATIONS: Final = "locations"
ATTR_ROUNDS: Final = "rounds"
ATTR_TEXT: Final = "text"
ATTR_URL: Final = "url"
ATTR_VIDEO: Final = "video"
ATTR_ANGLE: Final = "angle"

DEVICE = {probatio.Required(ATTR_DEVICE_ID): cv.string}
SCHEMAS: dict[str, probatio.Schema] = {
    "robot_goto": probatio.Schema({**DEVICE, probatio.Required(ATTR_LOCATION): cv.string}),
    "robot_speak": probatio.Schema({**DEVICE, probatio.Required(ATTR_TEXT): cv.string}),
    "robot_stop": probatio.Schema(DEVICE),
    "robot_call": probatio.Schema(DEVICE),
    "robot_follow": probatio.Schema(DEVICE),
    "robot_save_location": probatio.Schema({**DEVICE, probatio.Required(ATTR_LOCATION): cv.string}),
    "robot_delete_location": probatio.Schema(
        {**DEVICE, probatio.Required(ATTR_LOCATION): cv.string}
    ),
    "robot_tilt": probatio.Schema(
        {
            **DEVICE,
            probatio.Required(ATTR_ANGLE): probatio.All(
                probatio.Coerce(int), probatio.Range(min=-25, max=55)
            ),
        }
    ),
    "robot_show": probatio.Schema(
        {
            **DEVICE,
            probatio.Required(ATTR_URL): cv.url,
            probatio.Optional(ATTR_VIDEO, default=False): cv.boolean,
        }
    ),
    "robot_patrol": probatio.Schema(
        {
            **DEVICE,
            probatio.Required(ATTR_LOCATIONS): probatio.All(cv.ensure_list, [cv.string]),
            probatio.Optional(ATTR_ROUNDS, default=1): probatio.All(
                int, probatio.Range(min=1, max=20)
            ),
        }
    ),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the robot actions (once)."""
    hass.services.async_register(
        DOMAIN,
        "robot_goto",
        _async_goto,
        schema=SCHEMAS["robot_goto"],
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        "robot_patrol",
        _async_patrol,
        schema=SCHEMAS["robot_patrol"],
        supports_response=SupportsResponse.OPTIONAL,
    )
    for name, handler in (
        ("robot_speak", _async_speak),
        ("robot_stop", _async_stop),
        ("robot_call", _async_call),
        ("robot_show", _async_show),
        ("robot_follow", _async_follow),
        ("robot_save_location", _async_save_location),
        ("robot_delete_location", _async_delete_location),
        ("robot_tilt", _async_tilt),
    ):
        hass.services.async_register(DOMAIN, name, handler, schema=SCHEMAS[name])


def _outcome(outcome: GotoOutcome) -> dict[str, Any]:
    return {
        "location": outcome.location,
        "result": outcome.result.value,
        "attempts": outcome.attempts,
        "reason": outcome.reason,
    }


async def _async_goto(call: ServiceCall) -> ServiceResponse:
    return _outcome(await _robot(call).async_goto(call.data[ATTR_LOCATION]))


async def _async_patrol(call: ServiceCall) -> ServiceResponse:
    outcomes = await _robot(call).async_patrol(call.data[ATTR_LOCATIONS], call.data[ATTR_ROUNDS])
    return {"visits": [_outcome(outcome) for outcome in outcomes]}


async def _async_speak(call: ServiceCall) -> None:
    await _robot(call).async_speak(call.data[ATTR_TEXT])


async def _async_stop(call: ServiceCall) -> None:
    await _robot(call).async_stop()


async def _async_call(call: ServiceCall) -> None:
    await _robot(call).async_call()


async def _async_show(call: ServiceCall) -> None:
    await _robot(call).async_show(call.data[ATTR_URL], video=call.data[ATTR_VIDEO])


async def _async_save_location(call: ServiceCall) -> None:
    await _robot(call).async_save_location(call.data[ATTR_LOCATION])


async def _async_delete_location(call: ServiceCall) -> None:
    await _robot(call).async_delete_location(call.data[ATTR_LOCATION])


async def _async_tilt(call: ServiceCall) -> None:
    await _robot(call).async_tilt(call.data[ATTR_ANGLE])


async def _async_follow(call: ServiceCall) -> None:
    robot = _robot(call)
    # The bridge app removed "follow"; the robot would silently ignore it.
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="follow_not_supported",
        translation_placeholders={"robot": robot.name},
    )


def _robot(call: ServiceCall) -> Robot:
    device_id = call.data[ATTR_DEVICE_ID]
    entry, subentry_id = loaded_site_of_device(call.hass, device_id, wrong_device_key="not_a_robot")
    robot = entry.runtime_data.subsystem(RobotSubsystem).robots.get(subentry_id or "")
    if robot is None:
        raise wrong_device(device_id, "not_a_robot")
    return robot
