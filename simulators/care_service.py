"""A simulated care-service system for the demo and the end-to-end tests (not shipped by HACS).

It is the receiver of Smart Quarter's care webhook, written independently of the integration:

    POST /alarm                 Smart Quarter's signed alarm messages (checked, then kept)
    GET  /alarms                what arrived, newest last (JSON)
    POST /acknowledge/<alarm>   take the alarm: sends the signed callback with the token of
                                the alarm's latest message; body {"by": "<name>"} (optional)

    python simulators/care_service.py --port 8124 --secret <shared secret> \
        [--ha-url http://localhost:8123] [--auto-ack SECONDS]

With --auto-ack the simulated care service takes every alarm by itself after that many seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web

_LOGGER = logging.getLogger("care_service")
MAX_SKEW = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over '<timestamp>.' + body, as the README documents."""
    return (
        "sha256="
        + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )


class CareService:
    """Keeps the alarms it received and takes them on request."""

    def __init__(self, secret: str, ha_url: str | None, auto_ack: float | None) -> None:
        """Keep the shared secret, where Home Assistant is, and the auto-acknowledge delay."""
        self.secret = secret
        self.ha_url = ha_url.rstrip("/") if ha_url else None
        self.auto_ack = auto_ack
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def alarm(self, request: web.Request) -> web.Response:
        """Check and keep one alarm message."""
        body = await request.read()
        timestamp = request.headers.get("X-Smart-Quarter-Timestamp", "")
        given = request.headers.get("X-Smart-Quarter-Signature", "")
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_SKEW
        if not fresh or not hmac.compare_digest(sign(self.secret, timestamp, body), given):
            self.refused += 1
            _LOGGER.warning("refused a message with a bad signature or timestamp")
            return web.json_response({"error": "bad signature"}, status=401)
        message = json.loads(body)
        self.received.append(message)
        print(json.dumps({"received": message}, ensure_ascii=False), flush=True)
        if self.auto_ack is not None and message.get("acknowledge"):
            task = asyncio.create_task(self._take_later(message["alarm_id"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response({"ok": True})

    async def alarms(self, request: web.Request) -> web.Response:
        """List what arrived."""
        return web.json_response(self.received)

    async def acknowledge(self, request: web.Request) -> web.Response:
        """Take an alarm (the control endpoint of the demo and the tests)."""
        data = await request.json() if request.can_read_body else {}
        status, answer = await self.take(
            request.match_info["alarm_id"], data.get("by", "Leitstelle")
        )
        return web.json_response(answer, status=status)

    async def take(self, alarm_id: str, by: str) -> tuple[int, dict[str, Any]]:
        """Send the signed callback for the alarm's latest message."""
        latest = next(
            (
                m
                for m in reversed(self.received)
                if m["alarm_id"] == alarm_id and m.get("acknowledge")
            ),
            None,
        )
        if latest is None:
            return 404, {"error": "no message with an acknowledgement token for this alarm"}
        ack = latest["acknowledge"]
        # The operator's own setting wins; else the URL Home Assistant announced.
        url = f"{self.ha_url}{ack['path']}" if self.ha_url else ack.get("url")
        if not url:
            return 400, {"error": "Home Assistant announced no URL: start with --ha-url"}
        body = json.dumps({"alarm_id": alarm_id, "token": ack["token"], "by": by}).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Smart-Quarter-Timestamp": timestamp,
            "X-Smart-Quarter-Signature": sign(self.secret, timestamp, body),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response,
        ):
            text = await response.text()
            print(json.dumps({"acknowledge": alarm_id, "status": response.status}), flush=True)
            return response.status, json.loads(text) if text else {}

    async def _take_later(self, alarm_id: str) -> None:
        await asyncio.sleep(self.auto_ack or 0)
        await self.take(alarm_id, "Leitstelle (automatisch)")


async def serve(port: int, service: CareService) -> None:
    """Run the receiver until stopped."""
    app = web.Application()
    app.router.add_post("/alarm", service.alarm)
    app.router.add_get("/alarms", service.alarms)
    app.router.add_post("/acknowledge/{alarm_id}", service.acknowledge)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"care service simulator on http://127.0.0.1:{port}/alarm", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--ha-url", default=None, help="Home Assistant's base URL to call back")
    parser.add_argument("--auto-ack", type=float, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, CareService(args.secret, args.ha_url, args.auto_ack)))


if __name__ == "__main__":
    main()
