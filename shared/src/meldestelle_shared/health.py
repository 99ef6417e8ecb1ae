"""Liveness and readiness endpoints every service exposes."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, Check], *, timeout: float = 2.0) -> APIRouter:
    """`/healthz` says the process is up; `/readyz` runs each named check (e.g. kafka, database)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The service can reach what it depends on")
    async def readyz() -> JSONResponse:
        results = {name: await _run(check, timeout) for name, check in checks.items()}
        ready = all(results.values())
        body = {"status": "ready" if ready else "unavailable", "checks": {k: "ok" if v else "failing" for k, v in results.items()}}
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


async def _run(check: Check, timeout: float) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout)
    except Exception:  # noqa: BLE001 - any failure of a dependency means "not ready"
        return False
