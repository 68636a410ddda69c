"""Constants of the apartments' smart home."""

from typing import Final

SECTION: Final = "smart_home"
"""The apartment form's section (owned by this subsystem)."""
CONF_GATEWAY_APARTMENT: Final = "gateway_apartment"
"""The id the apartment gateway uses for this apartment (its topic level)."""
DISCOVERY_ENTRY_ID: Final = "entry_id"
"""Discovery data: the site whose gateway announced apartments."""
DISCOVERY_GATEWAY: Final = "gateway"
"""Discovery data: the gateway's id."""
