"""Large pre-publication checks off the event loop, in a process of their own.

A check takes well under a millisecond and runs on the server's event loop. A plan carrying thousands of
earlier events (up to check.MAX_PLAN_EVENTS) takes tens of milliseconds to parse and hundreds to check, all
pure Python: on the loop, or in a thread holding the interpreter lock, it would hold up every small check
behind it. So a POST /v1/check whose body is over LARGE_BODY bytes is answered by `LargeChecks` in front of
the application: after the same bearer-token test, the body goes as bytes to one worker process with its
own engine (rules and calendar loaded from the same paths), which parses, validates and checks it exactly as
the route would and answers with the status and JSON (no pickled objects, only bytes and text). A reload
restarts the worker, so it judges by the new rules.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

LARGE_BODY = 64 << 10  # about 500 earlier events
_ENGINE = None
_LOAD_ERROR = (
    ""  # why the worker could not load its rules (a file changed on disk after the server loaded it)
)


def _load(rules: list[str] | None, calendar: str, calendar_dirs: list[str] | None) -> None:
    """In the worker: lower its priority (a small check in the server goes first on a busy core), load."""
    global _ENGINE
    import os

    from .engine import Engine

    if hasattr(os, "nice"):
        os.nice(10)
    _exit_with(os.getppid())

    try:
        _ENGINE = Engine.load(
            [Path(p) for p in rules] if rules else None,
            calendar,
            [Path(d) for d in calendar_dirs] if calendar_dirs else None,
        )
    except Exception as exc:  # said in each answer, not as a worker traceback on stderr
        global _LOAD_ERROR
        _LOAD_ERROR = str(exc)


def _exit_with(parent: int) -> None:
    """In the worker: end when the server is gone. A server killed (kill -9, a crash) cannot shut its pool
    down, and the worker, waiting on a queue whose other end it also holds, would stay forever."""
    import os
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _noop() -> None:
    return None


def answer(engine, data: bytes) -> tuple[int, str]:
    """(HTTP status, JSON text) for a /v1/check body, as the route answers it: 200 with the result, or 422
    with each error's place (engine/httpjson.py says how)."""
    from pydantic import ValidationError

    from .check import Plan, PlanError
    from .errors import CalendarCoverageError
    from .httpjson import coverage_error, detail, parse_body

    try:
        plan = Plan.model_validate(parse_body(data))
        return 200, json.dumps(engine.check(plan).to_json(), ensure_ascii=False)
    except json.JSONDecodeError as exc:
        errors = [{"type": "json_invalid", "loc": ("body", exc.pos), "ctx": {"error": exc.msg}}]
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
    except PlanError as exc:
        errors = [{"type": "value_error", "loc": ("body", *exc.loc), "msg": str(exc).split(": ", 1)[-1]}]
    except CalendarCoverageError as exc:
        errors = [coverage_error(exc)]
    return 422, json.dumps(detail(errors), ensure_ascii=False)


def _check(data: bytes) -> tuple[int, str]:
    if _ENGINE is None:
        message = f"大型检查进程未能载入规则，请修正规则后重新载入 (the large-check worker could not load the rules): {_LOAD_ERROR}"
        return 503, json.dumps({"detail": message}, ensure_ascii=False)
    return answer(_ENGINE, data)


class CheckPool:
    """One worker process for large checks; `restart` after a reload."""

    def __init__(self, rules: list[str] | None, calendar: str, calendar_dirs: list[str] | None):
        self.args = (rules, calendar, calendar_dirs)
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=self.args,
        )

    def warm(self) -> None:
        """Start the worker and wait until it has loaded rules and calendar: it reads them from the paths the
        server has just read, so a file edited afterwards (before a reload) is not read by the worker alone."""
        self.pool.submit(_noop).result()

    def restart(self) -> None:
        old, self.pool = self.pool, self._start()
        old.shutdown(wait=False)
        self.warm()

    async def check(self, data: bytes) -> tuple[int, str]:
        return await asyncio.get_running_loop().run_in_executor(self.pool, _check, data)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class LargeChecks:
    """ASGI: a POST /v1/check with a body over LARGE_BODY bytes is answered by the worker process; everything
    else goes to the application. `allowed(authorization header)` is the application's own token test."""

    def __init__(self, app, pool: CheckPool, allowed: Callable[[str], bool]):
        self.app, self.pool, self.allowed = app, pool, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/check":
            return await self.app(scope, receive, send)
        chunks = []
        while True:  # the body limit in front of this has read it already: one message, replayed
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if len(body) <= LARGE_BODY:
            replayed = False

            async def replay():
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            return await self.app(scope, replay, send)
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        if not self.allowed(header):
            return await _send(
                send,
                401,
                json.dumps({"detail": "missing or wrong bearer token"}),
                [(b"www-authenticate", b"Bearer")],
            )
        await _send(send, *await self.pool.check(body))


async def _send(send, status: int, text: str, headers: list | None = None) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
