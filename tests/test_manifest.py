"""The packaging HACS and Home Assistant rely on: manifest.json, hacs.json, one integration."""

from __future__ import annotations

import json
from pathlib import Path
import re
import struct
import subprocess

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import __version__ as ha_version

REPO = Path(__file__).parent.parent
INTEGRATION = REPO / "custom_components" / "smart_quarter"
# Packages Home Assistant pins itself: an exact pin of ours would fight it.
HA_PINNED = ("pymodbus", "paho-mqtt", "bleak", "aiohttp", "bleak-retry-connector", "habluetooth")


def _manifest() -> dict:
    return json.loads((INTEGRATION / "manifest.json").read_text("utf-8"))


def test_manifest_has_what_hassfest_and_hacs_require() -> None:
    manifest = _manifest()
    for key in (
        "domain",
        "name",
        "version",
        "documentation",
        "issue_tracker",
        "codeowners",
        "config_flow",
        "integration_type",
        "iot_class",
        "requirements",
        "dependencies",
    ):
        assert key in manifest, key
    assert manifest["domain"] == INTEGRATION.name
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] in {"local_push", "local_polling", "cloud_push", "cloud_polling"}
    assert AwesomeVersion(manifest["version"]).strategy in {
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
    }
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    # Keys must be sorted like hassfest wants: domain, name, then alphabetical.
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def _exact_pins_of_ha_packages(requirements: list[str]) -> list[str]:
    """Requirements that pin (==) a package Home Assistant pins itself."""
    found = []
    for requirement in requirements:
        name = re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].strip().lower()
        if name.replace("_", "-") in HA_PINNED and "==" in requirement:
            found.append(requirement)
    return found


def test_no_exact_pin_of_packages_home_assistant_pins() -> None:
    assert _exact_pins_of_ha_packages(["pymodbus==3.13.0", "paho_mqtt==2.1.0"]) == [
        "pymodbus==3.13.0",
        "paho_mqtt==2.1.0",
    ]
    assert _exact_pins_of_ha_packages(["pymodbus>=3.11", "fhir.resources==8.3.0"]) == []
    assert _exact_pins_of_ha_packages(_manifest()["requirements"]) == []


def test_optional_integrations_are_after_dependencies() -> None:
    """A site may have no MQTT broker or Bluetooth adapter, so neither is a hard dependency."""
    manifest = _manifest()
    assert {"mqtt", "bluetooth"} <= set(manifest["after_dependencies"])
    assert not {"mqtt", "bluetooth"} & set(manifest["dependencies"])


def test_hacs_json() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text("utf-8"))
    allowed = {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
    }
    assert set(hacs) <= allowed
    assert hacs["name"] == _manifest()["name"]
    minimum = AwesomeVersion(hacs["homeassistant"])
    assert minimum >= AwesomeVersion("2026.10.0")
    assert AwesomeVersion(ha_version) >= minimum, "tests run on an older HA than we require"


def test_exactly_one_integration_and_no_other_manifest() -> None:
    """HACS installs the first folder under custom_components/: there must be only ours."""
    folders = [p for p in (REPO / "custom_components").iterdir() if p.is_dir()]
    folders = [p for p in folders if p.name != "__pycache__"]
    assert folders == [INTEGRATION]
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    manifests = [path for path in tracked if path.endswith("manifest.json")]
    # The demo's simulated Bluetooth proxy is a Home Assistant component too; it lives in
    # demo/ (never under custom_components/), so HACS and hassfest see only the integration.
    assert [path for path in manifests if not path.startswith("demo/")] == [
        "custom_components/smart_quarter/manifest.json"
    ]


def test_brand_images_exist() -> None:
    """Icons are square 256/512 px PNGs (Home Assistant's brand rules); the logo is landscape."""
    sizes = {}
    for name in ("icon.png", "icon@2x.png", "logo.png"):
        data = (INTEGRATION / "brand" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        sizes[name] = struct.unpack(">II", data[16:24])  # IHDR width, height
    assert sizes["icon.png"] == (256, 256)
    assert sizes["icon@2x.png"] == (512, 512)
    width, height = sizes["logo.png"]
    assert width > height >= 128


def test_quality_scale_is_complete_and_valid() -> None:
    """Every rule has a status; exempt and todo say why."""
    import yaml

    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text("utf-8"))["rules"]
    assert len(rules) >= 50
    for rule, value in rules.items():
        if isinstance(value, str):
            assert value == "done", f"{rule}: todo and exempt need a comment saying why"
        else:
            assert value["status"] in {"done", "todo", "exempt"}, rule
            assert value["comment"].strip(), rule
