"""Constants of the apartments' smart home."""

from typing import Final

SECTION: Final = "smart_home"
"""The apartment form's section (owned by this subsystem)."""
CONF_GATEWAY_APARTMENT: Final = "gateway_apartment"
"""The id the apartment gateway uses for this apartment (its topic level)."""
CONF_COMFORT_TEMPERATURE: Final = "comfort_temperature"
"""°C the heating is set to when a guest arrives (or the apartment is prepared)."""
CONF_SETBACK_TEMPERATURE: Final = "setback_temperature"
"""°C the heating is set back to after the guest left."""
DEFAULT_COMFORT_TEMPERATURE: Final = 21.5
DEFAULT_SETBACK_TEMPERATURE: Final = 17.0
DISCOVERY_ENTRY_ID: Final = "entry_id"
"""Discovery data: the site whose gateway announced apartments."""
DISCOVERY_GATEWAY: Final = "gateway"
"""Discovery data: the gateway's id."""
