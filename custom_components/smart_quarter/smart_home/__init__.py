"""The apartments' smart home: devices behind an MQTT gateway, stays, the Smart-TV and voice."""
