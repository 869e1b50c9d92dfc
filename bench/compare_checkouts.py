"""Two checkouts on the same inputs, in one run: findings identical (sha256 of the findings' JSON with sorted
keys) and wall time of `shixian audit`, runs interleaved so both see the same machine load.

Run: .venv/bin/python bench/compare_checkouts.py --baseline /path/to/other/checkout --as-of 2025-12-31 \
         --events bench/data/events-1000000.parquet [--runs 3]
Each checkout runs its own .venv/bin/shixian. Prints one line per checkout (findings, hash, median and every
time) and whether the findings are identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def run(checkout: Path, events: list[str], as_of: str, out: Path) -> tuple[float, str, int]:
    args = [
        str(checkout / ".venv" / "bin" / "shixian"),
        "audit",
        "--events",
        *events,
        "--as-of",
        as_of,
        "--format",
        "json",
        "-o",
        str(out),
        "--fail-on",
        "never",
        "--no-progress",
        "--rejects",
        str(out.with_suffix(".rejects")),
    ]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=out.parent)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: exit {done.returncode}\n{done.stderr[-2000:]}")
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    text = json.dumps(findings, sort_keys=True, ensure_ascii=False).encode()
    return elapsed, hashlib.sha256(text).hexdigest(), len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--events", nargs="+", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    events = [str(Path(e).resolve()) for e in args.events]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for name, checkout in (("baseline", args.baseline.resolve()), ("this", HERE)):
                elapsed, digest, count = run(checkout, events, args.as_of, Path(tmp) / f"{name}.json")
                entry = results.setdefault(name, {"times": [], "hash": digest, "count": count})
                entry["times"].append(elapsed)
                if entry["hash"] != digest:
                    raise SystemExit(f"{name}: findings differ between runs")
    for name, entry in results.items():
        times = " ".join(f"{t:.2f}" for t in entry["times"])
        print(
            f"{name:8} findings {entry['count']:,} sha256 {entry['hash'][:16]} "
            f"median {statistics.median(entry['times']):.2f} s ({times})"
        )
    same = results["baseline"]["hash"] == results["this"]["hash"]
    ratio = statistics.median(results["this"]["times"]) / statistics.median(results["baseline"]["times"])
    print(f"findings {'identical' if same else 'DIFFERENT'}; this / baseline median time {ratio:.2f}")


if __name__ == "__main__":
    main()
