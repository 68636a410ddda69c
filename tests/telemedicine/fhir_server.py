"""A small FHIR server for the tests: it checks the token, validates every Observation with
fhir.resources (R4B) and honours conditional creates (If-None-Exist on the identifier)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiohttp import web
from fhir.resources.R4B.observation import Observation

TOKEN = "praxis-token-1234"


class FhirServer:
    """Stores Observations; answers with the statuses it is told to first."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.observations: list[dict[str, Any]] = []
        self.requests = 0
        self.url = ""

    async def observation(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"resourceType": "OperationOutcome"}, status=401)
        if self.statuses:
            return web.Response(status=self.statuses.pop(0))
        body = await request.json()
        Observation.model_validate(body)  # a 500 (and a failed test) if it is not valid FHIR
        condition = request.headers.get("If-None-Exist", "")
        identifier = body["identifier"][0]
        if condition != f"identifier={identifier['system']}|{identifier['value']}":
            return web.Response(status=400, text="conditional create expected")
        if any(stored["identifier"] == body["identifier"] for stored in self.observations):
            return web.json_response(body, status=200)  # already there: not created again
        self.observations.append(body)
        return web.json_response({**body, "id": str(len(self.observations))}, status=201)


async def run_fhir_server() -> AsyncGenerator[FhirServer]:
    """Serve on a free loopback port; yields the server with its base URL."""
    server = FhirServer()
    app = web.Application()
    app.router.add_post("/r4/Observation", server.observation)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}/r4"
    yield server
    await runner.cleanup()
