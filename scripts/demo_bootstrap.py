"""Bring a freshly started demo Home Assistant to a usable state through its public APIs.

Idempotent: on every start it waits for Home Assistant, creates what is missing and leaves
the rest alone. Uses the same HTTP/websocket APIs as the frontend, so the demo also proves
that the onboarding and the config flows work end to end:

- the owner "admin" (onboarding user step) and the non-admin care-service user "pflege";
- the MQTT integration pointed at the demo's Mosquitto;
- the site "Jena-Lobeda" with the telemedicine room "TMR Lobeda" and the apartment
  "Gesundheitswohnung 1" with three emergency trigger devices;
- the façade "Fassade Nord" (the façade simulator) with the zones "Beet West" and "Beet Ost";
- the simulated open data platform as the site's SensorThings service;
- "pflege" named as staff of the site (takes alarms), and the simulated care service's
  webhook as the site's receiver (its shared secret is DEMO_CARE_SECRET);
- bookings: the room and the apartment take bookings, the apartment's Smart-TV login
  "wohnung1" is its guest user, and a stay with an appointment under the same code shows what
  the booking panel and the Smart-TV card look like.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, timedelta
from http import HTTPStatus
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ADMIN = {"name": "Demo Technik", "username": "admin", "password": "smartquarter-admin"}
CARE_USER = {"name": "Pflegedienst", "username": "pflege", "password": "smartquarter-pflege"}
TV_USER = {"name": "Gesundheitswohnung 1 TV", "username": "wohnung1", "password": "smartquarter-tv"}
DEMO_PATIENT = "PAT-4711"
SITE = {"name": "Jena-Lobeda", "location": {"latitude": 50.8876, "longitude": 11.6134}}
ROOM = {
    "name": "TMR Lobeda",
    "address": "Karl-Marx-Allee 28, 07747 Jena",
    "stethoscope": True,
    "booking": {"bookable": True, "holidays": "DE-TH"},
}
DEMO_CARE_SECRET = "smartquarter-demo-pflegedienst"  # noqa: S105 - published demo value
FACADE = {"name": "Fassade Nord", "host": "127.0.0.1", "tank_capacity_litres": 5000}
ZONES = ("Beet West", "Beet Ost")
ROBOT = {
    "name": "temi Wohnung 1",
    "serial": "00120485036",
    "home_base": "home base",
    "call_url": "https://meet.jit.si/smart-quarter-demo-pflege",
}
APARTMENT = {
    "name": "Gesundheitswohnung 1",
    "trigger_devices": ["zugschnur-bad-1", "funkfinger-1", "sturzsensor-1"],
    "cancel_window": 30,
}


class Demo:
    """A client of the demo Home Assistant."""

    facade_port = 5020

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.client_id = f"{url}/"
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_id = 0

    async def wait_until_up(self, within: float) -> None:
        deadline = time.monotonic() + within
        last = ""
        while time.monotonic() < deadline:
            try:
                # 401 without a token: the HTTP server and the API are up.
                async with self.session.get(f"{self.url}/api/") as response:
                    if response.status in (HTTPStatus.OK, HTTPStatus.UNAUTHORIZED):
                        return
                    last = f"HTTP {response.status}"
            except aiohttp.ClientError as err:
                last = type(err).__name__
            await asyncio.sleep(2)
        raise SystemExit(f"bootstrap: Home Assistant did not answer in {within:.0f} s ({last})")

    async def log_in(self) -> None:
        async with self.session.get(f"{self.url}/api/onboarding") as response:
            # Once onboarding is complete, Home Assistant no longer serves this view (404).
            steps = (
                {step["step"]: step["done"] for step in await response.json()}
                if response.status == HTTPStatus.OK
                else {"user": True}
            )
        if not steps.get("user"):
            print("bootstrap: creating the owner 'admin' (onboarding)")
            payload = {**ADMIN, "client_id": self.client_id, "language": "de"}
            async with self.session.post(f"{self.url}/api/onboarding/users", json=payload) as r:
                r.raise_for_status()
                code = (await r.json())["auth_code"]
        else:
            code = await self._login_flow_code()
        form = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        async with self.session.post(f"{self.url}/auth/token", data=form) as response:
            response.raise_for_status()
            self.token = (await response.json())["access_token"]

    async def _login_flow_code(self) -> str:
        start = {
            "client_id": self.client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": self.client_id,
        }
        async with self.session.post(f"{self.url}/auth/login_flow", json=start) as response:
            flow_id = (await response.json())["flow_id"]
        answer = {
            "username": ADMIN["username"],
            "password": ADMIN["password"],
            "client_id": self.client_id,
        }
        async with self.session.post(f"{self.url}/auth/login_flow/{flow_id}", json=answer) as r:
            result = await r.json()
        if result.get("type") != "create_entry":
            raise SystemExit(
                "bootstrap: cannot log in as 'admin' with the demo password. "
                "Was the demo state made by something else? Start with scripts/develop --reset."
            )
        return str(result["result"])

    async def api(self, method: str, path: str, payload: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(
            method, f"{self.url}{path}", json=payload, headers=headers
        ) as response:
            if response.status >= HTTPStatus.BAD_REQUEST:
                raise SystemExit(
                    f"bootstrap: {method} {path}: {response.status} {await response.text()}"
                )
            return await response.json()

    async def ws(self, message: dict[str, Any]) -> Any:
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            if (await self._ws.receive_json())["type"] != "auth_ok":
                raise SystemExit("bootstrap: websocket authentication failed")
        self._ws_id += 1
        await self._ws.send_json({"id": self._ws_id, **message})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == self._ws_id and reply["type"] == "result":
                if not reply["success"]:
                    raise SystemExit(f"bootstrap: {message['type']}: {reply['error']}")
                return reply.get("result")

    async def ensure_user(self, user: dict[str, str]) -> str:
        """Create a non-admin user (if missing) and return its id."""
        users = await self.ws({"type": "config/auth/list"})
        for existing in users:
            if existing["name"] == user["name"]:
                return str(existing["id"])
        print(f"bootstrap: creating the user '{user['username']}' (not an administrator)")
        created = await self.ws(
            {"type": "config/auth/create", "name": user["name"], "group_ids": ["system-users"]}
        )
        await self.ws(
            {
                "type": "config/auth_provider/homeassistant/create",
                "user_id": created["user"]["id"],
                "username": user["username"],
                "password": user["password"],
            }
        )
        return str(created["user"]["id"])

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        entries = await self.api("GET", "/api/config/config_entries/entry")
        return [entry for entry in entries if entry["domain"] == domain]

    async def run_flow(
        self, base: str, handler: Any, answers: list[dict[str, Any]]
    ) -> dict[str, Any]:
        result = await self.api("POST", base, {"handler": handler})
        for answer in answers:
            if result["type"] != "form":
                break
            result = await self.api("POST", f"{base}/{result['flow_id']}", answer)
        if result["type"] != "create_entry":
            raise SystemExit(f"bootstrap: flow {handler} ended with {result}")
        return result

    async def wait_until_loaded(self, domain: str, within: float = 60) -> None:
        """Wait for the entries of a domain to be loaded (a new subentry reloads its site)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            entries = await self.entries(domain)
            if entries and all(entry["state"] == "loaded" for entry in entries):
                return
            await asyncio.sleep(0.5)
        raise SystemExit(f"bootstrap: {domain} did not load: {await self.entries(domain)}")

    async def ensure_mqtt(self, port: int) -> None:
        if await self.entries("mqtt"):
            return
        print(f"bootstrap: adding the MQTT integration (Mosquitto on 127.0.0.1:{port})")
        await self.run_flow(
            "/api/config/config_entries/flow",
            "mqtt",
            [
                {
                    "broker": "127.0.0.1",
                    "port": port,
                    "protocol": "5",
                    "other_settings": {
                        "set_client_cert": False,
                        "set_ca_cert": "off",
                        "transport": "tcp",
                    },
                }
            ],
        )

    async def options_page(
        self, entry_id: str, page: str, answer: dict[str, Any]
    ) -> dict[str, Any]:
        """Submit one page of the site's options (its options flow is a menu)."""
        base = "/api/config/config_entries/options/flow"
        menu = await self.api("POST", base, {"handler": entry_id})
        form = await self.api("POST", f"{base}/{menu['flow_id']}", {"next_step_id": page})
        result = await self.api("POST", f"{base}/{form['flow_id']}", answer)
        if result["type"] != "create_entry":
            raise SystemExit(f"bootstrap: options page {page} ended with {result}")
        return result

    async def options_shown(self, entry_id: str, page: str) -> dict[str, Any]:
        """Return what an options page shows (the entry listing does not show options)."""
        base = "/api/config/config_entries/options/flow"
        menu = await self.api("POST", base, {"handler": entry_id})
        form = await self.api("POST", f"{base}/{menu['flow_id']}", {"next_step_id": page})
        await self.api("DELETE", f"{base}/{form['flow_id']}")
        return {
            field["name"]: (field.get("description") or {}).get("suggested_value")
            for field in form["data_schema"]
        }

    async def ensure_care_receivers(self, care_url: str, secret: str) -> None:
        [site] = await self.entries("smart_quarter")
        current = await self.options_shown(site["entry_id"], "site")
        users = await self.ws({"type": "config/auth/list"})
        care_id = next(user["id"] for user in users if user["name"] == CARE_USER["name"])
        if care_id not in (current.get("staff_users") or []):
            print("bootstrap: naming 'pflege' as staff of the site (may take alarms)")
            await self.options_page(
                site["entry_id"],
                "site",
                {"mqtt_base_topic": current["mqtt_base_topic"], "staff_users": [care_id]},
            )
            await self.wait_until_loaded("smart_quarter")
        receivers = await self.options_shown(site["entry_id"], "care_receivers")
        if receivers.get("care_webhook_url") != care_url:
            print(f"bootstrap: the care service's webhook is the simulator at {care_url}")
            await self.options_page(
                site["entry_id"],
                "care_receivers",
                {"care_webhook_url": care_url, "care_webhook_secret": secret},
            )
            await self.wait_until_loaded("smart_quarter")

    async def ensure_open_data(self, url: str) -> None:
        """Publish the façade's data to the simulated platform every minute."""
        [site] = await self.entries("smart_quarter")
        if (await self.options_shown(site["entry_id"], "open_data")).get("open_data_url") != url:
            print(f"bootstrap: the façade's data go to the open data platform at {url}")
            await self.options_page(
                site["entry_id"], "open_data", {"open_data_url": url, "open_data_minutes": 1}
            )
            await self.wait_until_loaded("smart_quarter")

    async def subentry_id(self, site: dict[str, Any], subentry_type: str) -> str:
        """Return the id of the site's (first) subentry of a type."""
        subentries = await self.ws(
            {"type": "config_entries/subentries/list", "entry_id": site["entry_id"]}
        )
        return str(
            next(s["subentry_id"] for s in subentries if s["subentry_type"] == subentry_type)
        )

    async def ensure_site(self, tv_user_id: str) -> None:
        sites = await self.entries("smart_quarter")
        if not sites:
            print(f"bootstrap: adding the site '{SITE['name']}'")
            await self.run_flow("/api/config/config_entries/flow", "smart_quarter", [SITE])
            sites = await self.entries("smart_quarter")
        site = sites[0]
        subentries = await self.ws(
            {"type": "config_entries/subentries/list", "entry_id": site["entry_id"]}
        )
        for subentry_type, data in (
            ("telemedicine_room", ROOM),
            (
                "apartment",
                {
                    **APARTMENT,
                    "stays": {"bookable": True, "guest_user": tv_user_id},
                    "smart_home": {"gateway_apartment": "whg-1"},
                },
            ),
            ("facade", {**FACADE, "port": self.facade_port}),
            ("robot", ROBOT),
        ):
            if any(sub["subentry_type"] == subentry_type for sub in subentries):
                continue
            form = dict(data)
            if subentry_type == "robot":  # the robot serves the apartment ("Temi, komm zu mir")
                form["apartment"] = await self.subentry_id(site, "apartment")
            print(f"bootstrap: adding the {subentry_type.replace('_', ' ')} '{data['name']}'")
            await self.run_flow(
                "/api/config/config_entries/subentries/flow",
                [site["entry_id"], subentry_type],
                [form],
            )
        await self.wait_until_loaded("smart_quarter")
        subentries = await self.ws(
            {"type": "config_entries/subentries/list", "entry_id": site["entry_id"]}
        )
        facade_id = next(s["subentry_id"] for s in subentries if s["subentry_type"] == "facade")
        zones = [s["title"] for s in subentries if s["subentry_type"] == "irrigation_zone"]
        for index, name in enumerate(ZONES):
            if name in zones:
                continue
            print(f"bootstrap: adding the irrigation zone '{name}'")
            await self.run_flow(
                "/api/config/config_entries/subentries/flow",
                [site["entry_id"], "irrigation_zone"],
                [
                    {
                        "name": name,
                        "facade": facade_id,
                        "moisture": f"input:{20 + index}*0.1",
                        "valve": f"coil:{2 + index}",
                    }
                ],
            )
            await self.wait_until_loaded("smart_quarter")


async def ensure_demo_bookings(demo: Demo) -> None:
    """A stay in the apartment from today and the patient's appointment in the room."""
    resources = (await demo.ws({"type": "smart_quarter/booking/resources"}))["resources"]
    apartment = next((r for r in resources if r["kind"] == "apartment"), None)
    room = next((r for r in resources if r["kind"] == "room"), None)
    if apartment is None or room is None:
        return
    today = datetime.now(ZoneInfo(apartment["time_zone"])).date()
    current = await demo.ws(
        {"type": "smart_quarter/booking/next", "resource_id": apartment["resource_id"]}
    )
    if current["stay"] is not None:
        return
    print(f"bootstrap: a demo stay and appointment under the code {DEMO_PATIENT}")
    await demo.ws(
        {
            "type": "smart_quarter/booking/book",
            "resource_id": apartment["resource_id"],
            "arrival": today.isoformat(),
            "departure": (today + timedelta(days=5)).isoformat(),
            "code": DEMO_PATIENT,
        }
    )
    start = datetime.combine(today + timedelta(days=1), datetime.min.time()).isoformat()
    end = datetime.combine(today + timedelta(days=8), datetime.min.time()).isoformat()
    slots = (
        await demo.ws(
            {
                "type": "smart_quarter/booking/free_slots",
                "resource_id": room["resource_id"],
                "start": start,
                "end": end,
                "consultation_type": "general_medicine",
                "limit": 8,
            }
        )
    )["slots"]
    for slot, code in zip(slots[::3], (DEMO_PATIENT, None, None), strict=False):
        await demo.ws(
            {
                "type": "smart_quarter/booking/book",
                "resource_id": room["resource_id"],
                "start": slot["start"],
                "consultation_type": "general_medicine",
                **({"code": code} if code else {}),
            }
        )


VITALS_DEVICES = {
    "A4:C1:38:DE:00:01": "Blutdruckmessgerät",
    "A4:C1:38:DE:00:02": "Blutzuckermessgerät",
    "A4:C1:38:DE:00:03": "Fieberthermometer",
    "A4:C1:38:DE:00:04": "Pulsoximeter",
    "A4:C1:38:DE:00:05": "Waage",
}


async def ensure_vitals_devices(demo: Demo, within: float = 90) -> None:
    """Put the simulated Bluetooth devices into TMR Lobeda through their discovery flows."""
    site = (await demo.entries("smart_quarter"))[0]
    subentries = await demo.ws(
        {"type": "config_entries/subentries/list", "entry_id": site["entry_id"]}
    )
    room = next(s for s in subentries if s["subentry_type"] == "telemedicine_room")
    deadline = time.monotonic() + within
    added = 0
    while time.monotonic() < deadline:
        flows = await demo.ws({"type": "config_entries/flow/progress"})
        offers = [
            flow
            for flow in flows
            if flow["handler"] == "smart_quarter" and flow["context"]["source"] == "bluetooth"
        ]
        for flow in offers:
            if flow["step_id"] == "bluetooth_wait_room":  # discovered before the room existed
                await demo.api("POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {})
            address = flow["context"].get("unique_id", "")
            name = VITALS_DEVICES.get(address, flow["context"]["title_placeholders"]["name"])
            print(f"bootstrap: adding the discovered Bluetooth device '{name}' to {ROOM['name']}")
            await demo.api(
                "POST",
                f"/api/config/config_entries/flow/{flow['flow_id']}",
                {"room": f"{site['entry_id']}/{room['subentry_id']}", "name": name},
            )
            added += 1
            await demo.wait_until_loaded("smart_quarter")
        devices = await demo.ws({"type": "config/device_registry/list"})
        known = {
            value
            for device in devices
            for domain, value in device["identifiers"]
            if domain == "smart_quarter"
        }
        if set(VITALS_DEVICES) <= known:
            return
        await asyncio.sleep(1)
    raise SystemExit(f"bootstrap: the simulated Bluetooth devices were not discovered ({added})")


# The devices of the demo apartment that the guest's TV shows: the gateway's, and the robot
# (online only once it has heard the bridge's next status, up to 3 s after a reload).
APARTMENT_DEVICES = (
    "light.gesundheitswohnung_1_wohnzimmer_licht",
    "light.gesundheitswohnung_1_schlafzimmer_licht",
    "light.gesundheitswohnung_1_bad_licht",
    "climate.gesundheitswohnung_1_wohnzimmer_heizung",
    "climate.gesundheitswohnung_1_schlafzimmer_heizung",
    "number.gesundheitswohnung_1_schlafzimmer_pflegebett_hohe",
    "number.gesundheitswohnung_1_kuche_kuchenzeile_hohe",
    "cover.gesundheitswohnung_1_wohnzimmer_rollladen",
    "select.temi_wohnung_1_fahre_zu",
)


async def wait_for_apartment_devices(demo: Demo, within: float = 60) -> None:
    """Wait until the apartment's simulated devices are live (after a reload the site hears
    the gateway again from the broker's retained messages, the robot from its next status)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        states = {
            state["entity_id"]: state["state"] for state in await demo.api("GET", "/api/states")
        }
        if all(
            states.get(entity_id, "unavailable") != "unavailable" for entity_id in APARTMENT_DEVICES
        ):
            return
        await asyncio.sleep(0.5)
    missing = {entity_id: states.get(entity_id) for entity_id in APARTMENT_DEVICES}
    raise SystemExit(f"bootstrap: the apartment's devices did not appear: {missing}")


async def ensure_guest_in(demo: Demo) -> None:
    """The demo stay's guest is in: the apartment is occupied (the TV welcomes, heating on)."""
    mode = "select.gesundheitswohnung_1_modus"
    if (await demo.api("GET", f"/api/states/{mode}"))["state"] == "vacant":
        print("bootstrap: the guest of Gesundheitswohnung 1 is in (mode: occupied)")
        await demo.api(
            "POST", "/api/services/select/select_option", {"entity_id": mode, "option": "occupied"}
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8123")
    parser.add_argument("--mqtt-port", type=int, default=1883)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--care-url", default="http://127.0.0.1:8124/alarm")
    parser.add_argument("--facade-port", type=int, default=5020)
    parser.add_argument("--open-data-url", default="http://127.0.0.1:8125/v1.1")
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        demo = Demo(session, args.url)
        demo.facade_port = args.facade_port
        started = time.monotonic()
        await demo.wait_until_up(args.timeout)
        await demo.log_in()
        await demo.ensure_user(CARE_USER)
        tv_user_id = await demo.ensure_user(TV_USER)
        # Links Home Assistant hands out (e.g. the care service's acknowledgement callback)
        # must point at where the demo listens: loopback, not this machine's network address.
        await demo.ws({"type": "config/core/update", "internal_url": args.url})
        await demo.ensure_mqtt(args.mqtt_port)
        await demo.ensure_site(tv_user_id)
        await demo.wait_until_loaded("smart_quarter")
        await demo.ensure_care_receivers(args.care_url, DEMO_CARE_SECRET)
        await demo.ensure_open_data(args.open_data_url)
        await ensure_vitals_devices(demo)
        await ensure_demo_bookings(demo)
        await wait_for_apartment_devices(demo)
        await ensure_guest_in(demo)
        # Fresh values on the telemedicine dashboard (the same action as in the README).
        await demo.api("POST", "/api/services/smart_quarter_demo/measure_now", {})
        if demo._ws is not None:  # noqa: SLF001
            await demo._ws.close()  # noqa: SLF001
        print(f"bootstrap: demo ready after {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
