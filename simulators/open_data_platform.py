"""A simulated open data platform for the demo (not shipped by HACS).

It answers like FROST-Server (OGC SensorThings API v1.1):

    POST /v1.1/<collection>        -> 201, Location: .../<collection>(<id>)
    POST /v1.1/CreateObservations  -> 201, one URL per row
    GET  /v1.1/Observations        -> what arrived (JSON)

    python simulators/open_data_platform.py --port 8125
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web


class Platform:
    """Keeps what it was sent."""

    def __init__(self) -> None:
        """Start empty."""
        self.entities: dict[str, list[dict[str, Any]]] = {}
        self.observations: list[dict[str, Any]] = []

    async def create(self, request: web.Request) -> web.Response:
        """Create an entity; answer with its Location."""
        collection = request.match_info["collection"]
        items = self.entities.setdefault(collection, [])
        items.append(await request.json())
        location = f"{request.url.origin()}/v1.1/{collection}({len(items)})"
        print(json.dumps({"created": collection, "id": len(items)}), flush=True)
        return web.Response(status=201, headers={"Location": location})

    async def create_observations(self, request: web.Request) -> web.Response:
        """Take a CreateObservations batch."""
        answer = []
        for item in await request.json():
            for time, result in item["dataArray"]:
                self.observations.append(
                    {"datastream": item["Datastream"]["@iot.id"], "time": time, "result": result}
                )
                answer.append(f"{request.url.origin()}/v1.1/Observations({len(self.observations)})")
        print(json.dumps({"observations": len(answer)}), flush=True)
        return web.json_response(answer, status=201)

    async def list_observations(self, request: web.Request) -> web.Response:
        """Show what arrived."""
        return web.json_response({"@iot.count": len(self.observations), "value": self.observations})


async def serve(port: int) -> None:
    """Run until stopped."""
    platform = Platform()
    app = web.Application()
    app.router.add_post("/v1.1/CreateObservations", platform.create_observations)
    app.router.add_get("/v1.1/Observations", platform.list_observations)
    app.router.add_post("/v1.1/{collection}", platform.create)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"open data platform simulator on http://127.0.0.1:{port}/v1.1", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8125)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
