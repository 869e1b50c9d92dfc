"""Scale benchmark: end-to-end audits of generated logs (JSON Lines and Parquet), one process vs Dask.

Each audit runs as its own command (`shixian audit ... --format json -o ...`), as a nightly job would;
wall time, events/s and the peak memory of the whole process tree (the sum of RSS over the command and
its Dask workers, sampled every 0.2 s) are measured. The baseline is the first run of the same log in
the same invocation (the single process on JSON Lines); the findings of every run are compared with it.
Run: make bench-scale   (or .venv/bin/python bench/scale_bench.py --events 1000000 [--events 10000000])
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(args: list[str], out: Path) -> tuple[float, int, dict]:
    cmd = [
        sys.executable,
        "-m",
        "engine",
        "audit",
        *args,
        "--format",
        "json",
        "-o",
        str(out),
        "--fail-on",
        "never",
        "--rejects",
        str(out.with_suffix(".rejects.jsonl")),
        "--no-progress",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    ps, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"audit failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, peak, json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, action="append", help="log sizes (default 1000000)")
    parser.add_argument("--partitions", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="Dask worker counts to measure (default 1,2)")
    parser.add_argument(
        "--inputs", default="jsonl,parquet", help="input formats to measure (default jsonl,parquet)"
    )
    parser.add_argument(
        "--skip-local-above",
        type=int,
        default=5_000_000,
        help="do not run the single-process audit above this size (it holds every finding in memory)",
    )
    args = parser.parse_args()
    print(
        f"# scale bench  {time.strftime('%Y-%m-%d %H:%M')}  {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    )
    print(
        "| events | input | backend | wall s | events/s | peak RSS (tree) | findings | same findings as the first |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---|")
    for size in args.events or [1_000_000]:
        log = DATA / f"events-{size}.jsonl"
        if not log.exists() or not log.with_suffix(".parquet").exists():
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "generate.py"),
                    "--events",
                    str(size),
                    "--out",
                    str(DATA),
                    "--parquet",
                ],
                check=True,
                cwd=ROOT,
            )
        base = None
        for fmt in args.inputs.split(","):
            common = ["--events", str(log.with_suffix("." + fmt)), "--as-of", "2025-12-31"]
            runs = [("single process", [])] if size <= args.skip_local_above else []
            runs += [
                (
                    f"dask, {w} worker{'s' if w > 1 else ''}",
                    ["--backend", "dask", "--workers", str(w), "--partitions", str(args.partitions)],
                )
                for w in map(int, args.workers.split(","))
            ]
            for name, extra in runs:
                out = DATA / f"report-{size}-{fmt}-{name.replace(' ', '').replace(',', '-')}.json"
                wall, peak, report = run(common + extra, out)
                findings = report["findings"]
                if base is None:
                    base = (wall, findings)
                    same = "baseline"
                else:
                    same = "yes" if findings == base[1] else "NO"
                ratio = f" ({base[0] / wall:.2f}× the first)" if wall != base[0] else ""
                read = report["summary"]["events_read"]
                print(
                    f"| {read:,} | {fmt} | {name} | {wall:.1f}{ratio} | {read / wall:,.0f} | {peak / 2**20:,.0f} MiB | "
                    f"{len(findings):,} | {same} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
