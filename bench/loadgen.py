"""Open-loop HTTP load generator (a second process): a fixed request rate for a bounded time, on loopback only.

Latency is measured from each request's *scheduled* start, so a stalled server is not hidden
(no coordinated omission). Prints one JSON line: count, errors, p50/p90/p99/max in milliseconds.
Run: python bench/loadgen.py --port 8000 --path /v1/check --body plan.json --rate 500 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

HOSTS = {"127.0.0.1", "localhost", "::1"}


async def one(pool: asyncio.Queue, request: bytes, scheduled: float, latencies: list, errors: list) -> None:
    reader, writer = await pool.get()
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - scheduled)
        if b" 200 " not in status_line:
            errors.append(status_line.decode().strip())
    except Exception as exc:  # counted, never hidden
        errors.append(repr(exc))
    finally:
        pool.put_nowait((reader, writer))


async def run(
    host: str,
    port: int,
    path: str,
    body: bytes | None,
    rate: int,
    seconds: float,
    connections: int,
    token: str | None,
) -> dict:
    method = "POST" if body is not None else "GET"
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    request = (head + f"Content-Length: {len(body or b'')}\r\n\r\n").encode() + (body or b"")
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(host, port))
    latencies: list[float] = []
    errors: list[str] = []
    tasks = []
    start = time.perf_counter() + 0.05
    total = int(rate * seconds)
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(pool, request, scheduled, latencies, errors)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 3) if latencies else -1
        )

    return {
        "requests": total,
        "completed": len(latencies),
        "errors": len(errors),
        "first_error": errors[:1],
        "achieved_rate": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * latencies[-1], 3) if latencies else -1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/v1/check")
    parser.add_argument("--body", help="JSON file to POST (GET when absent)")
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--token")
    args = parser.parse_args()
    if args.host not in HOSTS:
        raise SystemExit("loadgen only targets loopback")
    body = open(args.body, "rb").read() if args.body else None
    print(
        json.dumps(
            asyncio.run(
                run(
                    args.host,
                    args.port,
                    args.path,
                    body,
                    args.rate,
                    args.seconds,
                    args.connections,
                    args.token,
                )
            )
        )
    )


if __name__ == "__main__":
    main()
