"""``/healthz`` (the process answers) and ``/readyz`` (its database and Redis answer)."""

from __future__ import annotations

from dataclasses import asdict

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from playrunner.api.state import app_state
from playrunner.health import service

router = APIRouter(tags=["Health"])


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Liveness: the process is up",
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
async def healthz() -> Response:
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Readiness: the database and the rate-limit store are reachable",
    description=(
        "503 when a dependency is unreachable. While Redis is down the API keeps answering, "
        "with rate limits counted per process; this endpoint says so."
    ),
    responses={
        200: {"description": "Ready"},
        503: {"description": "A dependency is unreachable; `checks` says which and why"},
    },
)
async def readyz(request: Request) -> Response:
    state = app_state(request)
    report = await service.readiness(state.database, state.rate_limiter)
    body = {
        "status": "ready" if report.ready else "not ready",
        "checks": {name: asdict(check) for name, check in report.checks.items()},
    }
    return Response(orjson.dumps(body), 200 if report.ready else 503, media_type="application/json")
