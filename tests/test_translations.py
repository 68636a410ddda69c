"""English and German translations have the same keys, and every key the code uses exists."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.smart_quarter.subentry_flow import SectionContext
from custom_components.smart_quarter.subsystems import SUBENTRY_FLOWS, SUBSYSTEMS

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "smart_quarter"
LANGUAGES = ("en", "de")


def _load(language: str) -> dict[str, Any]:
    return json.loads((INTEGRATION / "translations" / f"{language}.json").read_text("utf-8"))


def _leaves(tree: Any, prefix: str = "") -> set[str]:
    if isinstance(tree, dict):
        return {leaf for key, value in tree.items() for leaf in _leaves(value, f"{prefix}.{key}")}
    return {prefix.lstrip(".")}


def _has(tree: dict[str, Any], dotted: str) -> bool:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, (str, dict))


def _string_assignments(source: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, source))


def test_languages_have_the_same_keys() -> None:
    assert _leaves(_load("en")) == _leaves(_load("de"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_or_placeholder_text(language: str) -> None:
    tree = _load(language)
    for leaf in _leaves(tree):
        node: Any = tree
        for part in leaf.split("."):
            node = node[part]
        assert isinstance(node, str), leaf
        assert node.strip(), leaf
        assert "TODO" not in node, leaf


def _flow_sources() -> dict[str, str]:
    """Map 'config' and each subentry type to the source of its flow class(es)."""
    sources = {
        "config": (INTEGRATION / "config_flow.py").read_text("utf-8")
        + (INTEGRATION / "emergency" / "options.py").read_text("utf-8")
    }
    shared = (INTEGRATION / "subentry_flow.py").read_text("utf-8")
    for subentry_type, flow in SUBENTRY_FLOWS.items():
        module = Path(__import__(flow.__module__, fromlist=["_"]).__file__ or "")
        sources[subentry_type] = module.read_text("utf-8") + shared
    return sources


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_flow_error_step_and_abort_is_translated(language: str) -> None:
    tree = _load(language)
    for owner, source in _flow_sources().items():
        base = "config" if owner == "config" else f"config_subentries.{owner}"
        steps = _string_assignments(source, r'step_id="(\w+)"')
        errors = _string_assignments(source, r'errors\[[^\]]+\] = "(\w+)"')
        errors |= _string_assignments(source, r'return \{[^:]+: "(\w+)"\}')
        aborts = _string_assignments(source, r'reason="(\w+)"')
        assert steps, owner
        for step in steps:
            if owner == "config" and step not in (
                "user",
                "reconfigure",
                "bluetooth_confirm",
                "bluetooth_wait_room",
                "gateway_apartments",
                "reauth_confirm",
            ):
                assert _has(tree, f"options.step.{step}.title"), step
            else:
                assert _has(tree, f"{base}.step.{step}.title"), f"{base}.step.{step}"
        for error in errors:
            assert _has(tree, f"{base}.error.{error}") or _has(tree, f"options.error.{error}"), (
                f"{base}.error.{error}"
            )
        for abort in aborts:
            assert _has(tree, f"{base}.abort.{abort}"), f"{base}.abort.{abort}"
        if owner != "config":
            assert _has(tree, f"{base}.entry_type")
            assert _has(tree, f"{base}.initiate_flow.user")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_form_field_is_labelled(language: str) -> None:
    """Each field of each form schema has a label in the step's data section."""
    from custom_components.smart_quarter import config_flow

    tree = _load(language)
    forms = {
        "config.step.user": config_flow.SITE_SCHEMA,
        "config.step.reconfigure": config_flow.SITE_SCHEMA,
        "options.step.site": config_flow.site_options_schema({}),
    }
    for step_id, step in config_flow.OPTIONS_STEPS.items():
        forms[f"options.step.{step_id}"] = step.schema(None)  # type: ignore[arg-type]
        assert _has(tree, f"options.step.init.menu_options.{step_id}"), step_id
    assert _has(tree, "options.step.init.menu_options.site")
    for subentry_type, flow in SUBENTRY_FLOWS.items():
        for step in ("user", "reconfigure"):
            forms[f"config_subentries.{subentry_type}.step.{step}"] = flow.schema  # type: ignore[attr-defined]
    for subentry_type, flow in SUBENTRY_FLOWS.items():
        for part in getattr(flow, "sections", ()):
            for step in ("user", "reconfigure"):
                path = f"config_subentries.{subentry_type}.step.{step}.sections.{part.key}"
                assert _has(tree, f"{path}.name"), path
                forms[path] = part.schema(SectionContext(users={}))
    for path, schema in forms.items():
        for field in schema.schema:
            assert _has(tree, f"{path}.data.{field}"), f"{path}.data.{field}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entity_translation_key_exists(language: str) -> None:
    """Entity descriptions of every subsystem have a name, and an icon in icons.json."""
    tree = _load(language)
    icons = json.loads((INTEGRATION / "icons.json").read_text("utf-8"))
    found = 0
    for module_path in INTEGRATION.rglob("*.py"):
        module = ast.parse(module_path.read_text("utf-8"))
        for node in ast.walk(module):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if not node.func.id.endswith("EntityDescription"):
                continue
            platform = _platform_of(node.func.id)
            for keyword in node.keywords:
                if keyword.arg == "translation_key" and isinstance(keyword.value, ast.Constant):
                    key = keyword.value.value
                    assert _has(tree, f"entity.{platform}.{key}.name"), f"{platform}.{key}"
                    assert _has(icons, f"entity.{platform}.{key}.default"), f"icon {key}"
                    found += 1
    assert found >= len(SUBSYSTEMS)


def _platform_of(description_class: str) -> str:
    name = description_class.removeprefix("SmartQuarter").removesuffix("EntityDescription")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_action_and_field_is_translated(language: str) -> None:
    """services.yaml and the translations' services section describe the same actions."""
    import yaml

    tree = _load(language)
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    icons = json.loads((INTEGRATION / "icons.json").read_text("utf-8"))
    assert set(tree["services"]) == set(services)
    for service, spec in services.items():
        assert _has(tree, f"services.{service}.name"), service
        assert _has(tree, f"services.{service}.description"), service
        assert _has(icons, f"services.{service}.service"), service
        for field in spec.get("fields", {}):
            assert _has(tree, f"services.{service}.fields.{field}.name"), field
            assert _has(tree, f"services.{service}.fields.{field}.description"), field


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exception_key_is_translated(language: str) -> None:
    """Keys raised with translation_key=... or as RoomStateError-like keys have a message."""
    tree = _load(language)
    keys: set[str] = set()
    for module_path in INTEGRATION.rglob("*.py"):
        source = module_path.read_text("utf-8")
        keys |= set(re.findall(r'translation_domain=DOMAIN,\s*translation_key="(\w+)"', source))
        keys |= set(re.findall(r'wrong_device_key="(\w+)"', source))
        keys |= set(re.findall(r'raise \w*(?:State|Session|Booking)Error\("(\w+)"\)', source))
        # Alarm transition errors become "alarm_<key>" in emergency/services.py.
        keys |= {f"alarm_{k}" for k in re.findall(r'AlarmTransitionError\("(\w+)"', source)}
        # Irrigation refusals become "irrigation_<key>" in facade/services.py.
        keys |= {f"irrigation_{k}" for k in re.findall(r'IrrigationError\("(\w+)"', source)}
        keys |= set(re.findall(r'wrong_device\(\s*[^,]+,\s*"(\w+)"', source))
        keys |= set(re.findall(r'_refused\(\s*"(\w+)"', source))
        keys |= set(re.findall(r'async_get_exception_message\(\s*DOMAIN, "(\w+)"', source))
        keys |= set(re.findall(r'self\._message\(\s*"(\w+)"', source))
        keys |= set(re.findall(r'\.text\(\s*"(\w+)"', source))
        # notices.show(id, "<key>", ...) uses the texts "<key>_title" and "<key>_message".
        shown = re.findall(r'notices\.show\(\s*[^,]+,\s*"(\w+)"', source)
        keys |= {f"{key}_{part}" for key in shown for part in ("title", "message")}
        # Technician notices: _technician_notice(id, "<key>" if ... else None, ...) and the
        # emergency path's problems ("path_<problem>"), each with a title and a message.
        notices = set(re.findall(r'"(\w+)" if \w+ else None', source))
        notices |= {
            f"path_{p}" for p in re.findall(r"problem = (?:None if \w+ else )?\"(\w+)\"", source)
        }
        keys |= {f"technician_{n}_{part}" for n in notices for part in ("title", "message")}
    assert keys
    for key in keys:
        assert _has(tree, f"exceptions.{key}.message"), key
    # Every translated exception is used somewhere (no dead text).
    assert set(tree["exceptions"]) == keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sia_setting_error_is_translated(language: str) -> None:
    """The options page turns SiaError keys into 'sia_<key>' errors."""
    tree = _load(language)
    source = (INTEGRATION / "emergency" / "sia_dc09.py").read_text("utf-8")
    keys = set(re.findall(r'raise SiaError\("(invalid_(?:account|line|receiver|key))"', source))
    assert keys == {"invalid_account", "invalid_line", "invalid_receiver", "invalid_key"}
    for key in keys:
        assert _has(tree, f"options.error.sia_{key}"), key
    assert _has(tree, "config_subentries.apartment.error.sia_invalid_account")
