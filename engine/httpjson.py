"""JSON request bodies of the HTTP services (check, audit, watch) read as hostile input, answered with 4xx.

A body is read by the event readers' rules (engine/events/jsonl.py): UTF-8 or a 422 naming the byte,
nesting and number length bounded, and NaN/Infinity (or 1e999) refused (not JSON, and a 422 that echoed them could
not be serialised: a 500). A 422 names each error's field path and says what is wrong without echoing the
input back (an /v1/audit body can be megabytes), at most MAX_ERRORS of them. A body over the limit is
refused with 413 before the application reads any of it, declared or chunked.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from .events.jsonl import DEEP, MAX_DEPTH, too_deep

MAX_ERRORS = 50


def _constant(name: str):
    raise ValueError(f"{name} 不是 JSON 数值 ({name} is not a JSON number)")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} 超出浮点数范围 (number out of range)")
    return value


def parse_body(data: bytes) -> Any:
    """A request body's JSON value, or json.JSONDecodeError saying (Chinese first) where and why not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(
            f"请求体不是 UTF-8 文本（第 {exc.start + 1} 字节） (body is not UTF-8)", "", exc.start
        ) from None
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError:
        raise
    except RecursionError:  # Python's parser stops at its recursion limit, cleanly
        raise json.JSONDecodeError(DEEP, "", 0) from None
    except ValueError as exc:  # NaN, Infinity, an integer of 4,301+ digits
        raise json.JSONDecodeError(f"无法读取的数值 (unreadable number: {str(exc)[:120]})", "", 0) from None
    if text.count("{") + text.count("[") > MAX_DEPTH and too_deep(value):
        raise json.JSONDecodeError(DEEP, "", 0)
    return value


class _SafeJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_body(await self.body())
        return self._json


class SafeJSONRoute(APIRoute):
    """A route whose JSON body is parsed by `parse_body` (FastAPI's own parser accepts NaN and recurses)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def safe(request: Request):
            return await handler(_SafeJSONRequest(request.scope, request.receive))

        return safe


def _brief(error: dict) -> dict:
    message = error.get("msg", "")
    if error.get("type") == "json_invalid":
        message = f"请求体不是有效的 JSON：{(error.get('ctx') or {}).get('error', '')} (invalid JSON)"
    return {
        "loc": list(error.get("loc", ())),
        "msg": str(message)[:500],
        "type": error.get("type", "value_error"),
    }


def coverage_error(exc) -> dict:
    """A plan reaching a year the calendar cannot bound (past the two after its last): the error of a 422."""
    return {
        "type": "calendar_coverage",
        "loc": ("body",),
        "msg": f"{exc.chinese} (year {exc.year} is not covered by the calendar)",
    }


def detail(errors: list[dict]) -> dict:
    """The body of a 422: each error's field path and message, never the input it was about, at most
    MAX_ERRORS of them."""
    content: dict[str, Any] = {"detail": [_brief(e) for e in errors[:MAX_ERRORS]]}
    if len(errors) > MAX_ERRORS:
        content["more_errors"] = len(errors) - MAX_ERRORS
    return content


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content=detail(exc.errors()))


def install(app) -> None:
    """Make every route added from now on read its body safely, and answer 422s briefly."""
    app.router.route_class = SafeJSONRoute
    app.add_exception_handler(RequestValidationError, validation_error)


class BodyLimit:
    """ASGI middleware: refuse request bodies over `limit` bytes with 413, by header or as they stream in.

    The body is read here, up to the limit, before the application sees the request (a chunked body has no
    length to check in advance; refusing it from inside the application's read turned into a 400)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                return await self._refuse(send)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send):
        body = json.dumps(
            {"detail": f"请求体超过 {self.limit} 字节 (request body too large)"}, ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
