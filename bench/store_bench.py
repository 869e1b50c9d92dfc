"""Event store benchmark: ingest (backfill and a night) and the audit of the stored history, against the
same audit from the Parquet file and, with --baseline, the previous code's SQLite event store, in one run;
the night's incremental audit against the same night's full audit (--full, on a copy of the database).

Each step is its own command (`shixian ingest ...`, `shixian audit ...`), as the nightly job runs them; wall
time and the peak RSS of the whole process tree (the command and its Dask workers) are measured. The
audit of the store must give the findings of the same events audited from the Parquet file.
Run: make bench-store   (or .venv/bin/python bench/store_bench.py --events 1000000 [--baseline /work/main])
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
from scale_bench import tree_rss

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def cpu_of_children() -> float:
    """User + system seconds of the finished child processes (and theirs): on a machine shared with others,
    less at the mercy of their load than wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path = ROOT) -> tuple[float, int, str, float]:
    cpu = cpu_of_children()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ps, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{err[-2000:]}")
    return wall, peak, out, cpu_of_children() - cpu


def logs(size: int, night: int) -> tuple[Path, Path, Path]:
    """The history (JSON Lines and Parquet, `size` events) and a night of `night` new events after it."""
    total = size + night
    full = DATA / f"events-{total}.jsonl"
    if not full.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--events", str(total), "--out", str(DATA)],
            check=True,
            cwd=ROOT,
        )
    history, tonight = DATA / f"history-{size}.jsonl", DATA / f"night-{size}-{night}.jsonl"
    if not history.exists() or not tonight.exists():
        with (
            open(full, encoding="utf-8") as lines,
            open(history, "w", encoding="utf-8") as head,
            open(tonight, "w", encoding="utf-8") as tail,
        ):
            for k, line in enumerate(lines):
                (head if k < size else tail).write(line)
    parquet = history.with_suffix(".parquet")
    if not parquet.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import to_parquet

        to_parquet(history)
    return history, parquet, tonight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="events in the history (default 1000000)"
    )
    parser.add_argument("--night", type=int, default=30_000, help="new events of one night (default 30000)")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="a checkout of the previous code: its SQLite event store measured on the same logs",
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    history, parquet, tonight = logs(args.events, args.night)
    work = DATA / "store-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    as_of = [
        "--as-of",
        "2025-12-31",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-progress",
        "--rejects",
        str(work / "rejects.jsonl"),
    ]
    rows: list[tuple] = []  # name, wall, peak, events, note, cpu

    def step(name: str, cmd: list[str], events: int, cwd: Path = ROOT) -> tuple[float, str]:
        wall, peak, out, cpu = timed(cmd, cwd)
        rows.append((name, wall, peak, events, "", cpu))
        print(f"  {name}: {wall:.2f} s, CPU {cpu:.2f} s", file=sys.stderr, flush=True)
        return wall, out

    def note(text: str, at: int = -1) -> None:
        name, wall, peak, events, _, cpu = rows[at]
        rows[at] = (name, wall, peak, events, text, cpu)

    def findings(path: Path) -> list[dict]:
        return [
            {k: v for k, v in f.items() if k not in ("lifecycle", "waiver")}
            for f in json.loads(path.read_text(encoding="utf-8"))["findings"]
        ]

    n = args.events
    step(
        "ingest backfill from JSON Lines (new store)",
        [
            "ingest",
            "--db",
            str(work / "a.sqlite"),
            "--events",
            str(history),
            "--rejects",
            str(work / "r.jsonl"),
        ],
        n,
    )
    step(
        "ingest backfill from Parquet (new store)",
        [
            "ingest",
            "--db",
            str(work / "b.sqlite"),
            "--events",
            str(parquet),
            "--rejects",
            str(work / "r.jsonl"),
        ],
        n,
    )
    base, _ = step(
        "baseline: audit from the Parquet file",
        ["audit", "--events", str(parquet), *as_of, "-o", str(work / "p.json")],
        n,
    )
    note("baseline", -1)
    rec, _ = step(
        "audit from the Parquet file, run recorded (--db, new database)",
        [
            "audit",
            "--events",
            str(parquet),
            "--db",
            str(work / "p.sqlite"),
            *as_of,
            "-o",
            str(work / "pdb.json"),
        ],
        n,
    )
    wall, _ = step(
        "audit from the store (--db), run recorded",
        ["audit", "--db", str(work / "b.sqlite"), *as_of, "-o", str(work / "s.json")],
        n,
    )
    same = findings(work / "s.json") == findings(work / "p.json")
    note(
        f"{wall / base:.2f}× the baseline, {wall / rec:.2f}× the recorded Parquet audit; "
        f"same findings: {'yes' if same else 'NO'}"
    )
    wall, _ = step(
        f"audit from the store, --backend dask, {args.workers} workers",
        [
            "audit",
            "--db",
            str(work / "a.sqlite"),
            *as_of,
            "--backend",
            "dask",
            "--workers",
            str(args.workers),
            "-o",
            str(work / "d.json"),
        ],
        n,
    )
    same = findings(work / "d.json") == findings(work / "p.json")
    note(f"{wall / base:.2f}× the baseline; same findings: {'yes' if same else 'NO'}", -1)
    previous = list(as_of)
    previous[previous.index("--as-of") + 1] = "2025-12-30"
    step(
        "the previous night: audit --db of the store as of 2025-12-30 (full, recorded)",
        ["audit", "--db", str(work / "a.sqlite"), *previous, "-o", str(work / "n0.json")],
        n,
    )
    step(
        f"ingest a night of {args.night:,} new events",
        [
            "ingest",
            "--db",
            str(work / "a.sqlite"),
            "--events",
            str(tonight),
            "--rejects",
            str(work / "r.jsonl"),
        ],
        args.night,
    )
    step(
        "ingest the same night again (all already there)",
        [
            "ingest",
            "--db",
            str(work / "a.sqlite"),
            "--events",
            str(tonight),
            "--rejects",
            str(work / "r.jsonl"),
        ],
        args.night,
    )
    shutil.copy(work / "a.sqlite", work / "c.sqlite")
    shutil.copytree(work / "a.sqlite.events", work / "c.sqlite.events")
    inc, _ = step(
        "that night's audit --db, incremental (the default)",
        ["audit", "--db", str(work / "a.sqlite"), *as_of, "-o", str(work / "n1.json")],
        n + args.night,
    )
    full, _ = step(
        "the same night's audit --db --full (a copy of the same database)",
        ["audit", "--db", str(work / "c.sqlite"), *as_of, "--full", "-o", str(work / "n1full.json")],
        n + args.night,
    )
    night = json.loads((work / "n1.json").read_text(encoding="utf-8"))
    same = night["findings"] == json.loads((work / "n1full.json").read_text(encoding="utf-8"))["findings"]
    counts_same = night["summary"].get("obligations") == json.loads(
        (work / "n1full.json").read_text(encoding="utf-8")
    )["summary"].get("obligations")
    cpu_ratio = rows[-2][5] / rows[-1][5] if rows[-1][5] else float("nan")
    note(
        f"{night['run']['kind_text']}; {inc / full:.2f}× the full run below in wall time, "
        f"{cpu_ratio:.2f}× in CPU time",
        -2,
    )
    note(
        f"same findings, lifecycle and on-time counts as the incremental run: "
        f"{'yes' if same and counts_same else 'NO'}"
    )
    if args.baseline:
        old = work / "old.sqlite"
        wall, _ = step(
            "previous code: ingest backfill from JSON Lines (SQLite table)",
            ["ingest", "--db", str(old), "--events", str(history), "--rejects", str(work / "r.jsonl")],
            n,
            cwd=args.baseline,
        )
        ours = rows[0][1]
        note(f"the new store: {wall / ours:.1f}× faster", -1)
        wall, _ = step(
            "previous code: audit --db of that store",
            ["audit", "--db", str(old), *as_of, "-o", str(work / "old.json")],
            n,
            cwd=args.baseline,
        )
        note(f"{wall / base:.2f}× the baseline", -1)
        step(
            "previous code: ingest the night",
            ["ingest", "--db", str(old), "--events", str(tonight), "--rejects", str(work / "r.jsonl")],
            args.night,
            cwd=args.baseline,
        )
    load = psutil.getloadavg()
    print(
        f"# store bench  {time.strftime('%Y-%m-%d %H:%M')}  {psutil.cpu_count()} cores, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end"
    )
    print("| step | events | wall s | CPU s | events/s (wall) | peak RSS (tree) | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, wall, peak, events, text, cpu in rows:
        print(
            f"| {name} | {events:,} | {wall:.2f} | {cpu:.2f} | {events / wall:,.0f} | {peak / 2**20:,.0f} MiB "
            f"| {text} |"
        )
    sizes = sum(p.stat().st_size for p in (work / "a.sqlite.events").rglob("*.parquet"))
    print(
        f"\nstore a.sqlite: {(work / 'a.sqlite').stat().st_size / 2**20:.0f} MiB database + {sizes / 2**20:.0f} MiB "
        f"of Parquet files"
    )


if __name__ == "__main__":
    main()
