"""`shixian watch --port`: the live monitor behind POST /v1/events, ticking on the real clock."""

from __future__ import annotations

import asyncio
import hmac
import threading
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from ..httpjson import install
from .monitor import LiveMonitor


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[dict[str, Any]] = Field(max_length=10_000)


def create_watch_app(
    monitor: LiveMonitor, tick_seconds: float, token: str | None = None, outbox=None
) -> FastAPI:
    lock = threading.Lock()  # the monitor is not thread-safe: one caller at a time

    async def lifespan(app: FastAPI):
        async def ticker():
            while True:
                await asyncio.sleep(tick_seconds)
                with lock:
                    monitor.tick()
                    if outbox is not None:
                        outbox.flush()

        task = asyncio.create_task(ticker())
        yield
        task.cancel()

    app = FastAPI(title="shixian watch", version="1", lifespan=lifespan)
    install(app)  # bodies read as hostile input (engine/httpjson.py)

    def authorised(request: Request) -> None:
        if token is not None and not hmac.compare_digest(
            request.headers.get("authorization", "").encode(), f"Bearer {token}".encode()
        ):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.post("/v1/events", dependencies=[Depends(authorised)])
    async def events(batch: EventBatch) -> dict:
        rejected = []
        with lock:
            for index, record in enumerate(batch.events):
                why = monitor.accept(record, f"http:{index}")
                if why:
                    rejected.append({"index": index, "reason": why})
            monitor.tick()
            if outbox is not None:
                outbox.flush()
        return {"accepted": len(batch.events) - len(rejected), "rejected": rejected}

    return app
