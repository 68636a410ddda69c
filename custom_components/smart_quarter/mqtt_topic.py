"""MQTT topic rules shared by the site's settings and its subsystems (no Home Assistant)."""

from __future__ import annotations

import re

# An MQTT topic to publish under: levels of printable characters without the wildcards,
# no leading/trailing or doubled slash, and no "$" prefix (reserved for broker topics).
_TOPIC_RE = re.compile(r"^[^/#+$\s][^/#+\s]*(/[^/#+\s]+)*$")


def is_publish_topic(topic: str) -> bool:
    """Tell whether `topic` is a concrete topic one can publish to (and subscribe under)."""
    return _TOPIC_RE.match(topic) is not None
