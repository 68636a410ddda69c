"""The running demo (scripts/develop) that the end-to-end tests share: started once per session.

Test files run in name order; test_demo.py ends with the test that stops the demo (Ctrl-C), so
tests that need the running demo live in files that sort before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import time
from typing import Any
import urllib.parse
import urllib.request

from playwright.async_api import Browser, Page, async_playwright, expect
import pytest
import pytest_socket

from ..common import free_port

REPO = Path(__file__).parents[2]
IN_SERVICE = "switch.tmr_lobeda_in_betrieb"
START_TIMEOUT = 420  # a fresh machine installs Home Assistant's frontend requirements first


def _free_port() -> int:
    pytest_socket.enable_socket()  # module-scoped set-up runs before socket_enabled
    return free_port()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Demo:
    url: str
    mqtt_port: int
    ha_port: int
    care_port: int
    facade_port: int
    process: subprocess.Popen[str]
    output: list[str]

    def request(self, path: str, token: str | None = None, data: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(f"{self.url}{path}", body, headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def entity_id_named(self, friendly_name: str, token: str) -> str:
        states = self.request("/api/states", token)
        [entity_id] = [
            state["entity_id"]
            for state in states
            if state["attributes"].get("friendly_name") == friendly_name
        ]
        return str(entity_id)

    def log_in(self, username: str, password: str) -> str:
        client_id = f"{self.url}/"
        flow = self.request(
            "/auth/login_flow",
            data={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
        )
        result = self.request(
            f"/auth/login_flow/{flow['flow_id']}",
            data={"username": username, "password": password, "client_id": client_id},
        )
        assert result["type"] == "create_entry", result
        form = urllib.parse.urlencode(
            {"grant_type": "authorization_code", "code": result["result"], "client_id": client_id}
        ).encode()
        with urllib.request.urlopen(f"{self.url}/auth/token", form, timeout=30) as response:
            return str(json.loads(response.read())["access_token"])


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    ha_port, mqtt_port, care_port = _free_port(), _free_port(), _free_port()
    facade_port, open_data_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DEMO_DIR": str(tmp_path_factory.mktemp("demo")),
        "HA_PORT": str(ha_port),
        "MQTT_PORT": str(mqtt_port),
        "CARE_PORT": str(care_port),
        "FACADE_PORT": str(facade_port),
        "OPEN_DATA_PORT": str(open_data_port),
    }
    process = subprocess.Popen(
        [str(REPO / "scripts" / "develop")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    assert process.stdout is not None
    pytest_socket.enable_socket()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if "demo ready" in line:
            break
    demo = Demo(
        f"http://127.0.0.1:{ha_port}", mqtt_port, ha_port, care_port, facade_port, process, output
    )
    try:
        assert any("demo ready" in line for line in output), "".join(output[-40:])
        yield demo
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


ARTIFACTS = REPO / "test-artifacts"
"""Screenshots kept for the people who look at a run."""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is missing: scripts/setup installs it"
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (its own browser downloads are not reachable here).

    The async API: Home Assistant's test plugin runs an event loop, where the sync API cannot.
    """
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


async def log_in_page(page: Page, demo: Demo, username: str, password: str) -> None:
    """Log in through Home Assistant's own login page."""
    await page.goto(demo.url)
    await page.locator("input[name='username']").first.fill(username)
    await page.locator("input[type='password']").first.fill(password)
    await page.keyboard.press("Enter")
    await expect(page.locator("home-assistant")).to_be_attached(timeout=60_000)
    await expect(page.locator("ha-sidebar")).to_be_attached(timeout=60_000)
