"""Audit speed of an office ledger (xlsx, through its mapping) against the JSON Lines log of the same events.

Writes a requests ledger (依申请公开登记台账) of --rows rows, one application each with its received date and,
for most, a reply (some with a supplement, a third-party consultation or an extension), dates typed in the
mixed forms offices use, and the same events as JSON Lines; then runs `shixian audit` on each in a
subprocess (wall time, best of --repeat) and prints the ratio. Also times reading the sheet alone with
python-calamine (what shixian uses) and with openpyxl's read-only mode (the baseline it was chosen over).
Fixed seed: the same files each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "ledgers"))
from generate import REQUESTS, typed  # noqa: E402  (the example generator's headers and date forms)

BODIES = ["上海市司法局", "临沂市司法局", "天津市滨海新区司法局", "江苏省司法厅"]


def write_inputs(rows: int, out: Path) -> tuple[Path, Path, int]:
    rng = random.Random(17)
    name, sheet, headers, columns = REQUESTS
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append([f"{name}（基准测试）"])
    ws.append(headers)
    events = []
    start = dt.datetime(2024, 1, 2, 9, 0)
    for i in range(rows):
        subject, body = f"YSQ-{i:06d}", BODIES[i % 4]
        received = start + dt.timedelta(minutes=rng.randrange(0, 300 * 24 * 60, 10))
        dates = {"request.received": received}
        if rng.random() < 0.1:
            dates["supplement.requested"] = received + dt.timedelta(minutes=3 * 1440)
            dates["supplement.received"] = received + dt.timedelta(minutes=6 * 1440)
        if rng.random() < 0.05:
            dates["third_party.consulted"] = received + dt.timedelta(minutes=4 * 1440)
            dates["third_party.replied"] = received + dt.timedelta(minutes=12 * 1440)
        if rng.random() < 0.9:
            dates["request.replied"] = received + dt.timedelta(minutes=rng.randrange(5, 40) * 1440 + 120)
        row = {"申请编号": subject, "机关": body, "承办科室": "办公室", "是否延期": "否", "序号": i + 1}
        for k, (kind, when) in enumerate(dates.items()):
            text = when.isoformat(timespec="minutes")
            row[columns[kind]] = typed(text, i + k)
            events.append(
                {
                    "id": f"{subject}:{kind}",
                    "type": kind,
                    "subject": subject,
                    "time": text,
                    "body": body,
                    "department": "办公室",
                }
            )
        ws.append([row.get(h, None) for h in headers])
    xlsx, jsonl = out / f"ledger-{rows}.xlsx", out / f"ledger-{rows}.jsonl"
    book.save(xlsx)
    with open(jsonl, "w", encoding="utf-8") as stream:
        for e in events:
            stream.write(json.dumps(e, ensure_ascii=False) + "\n")
    return xlsx, jsonl, len(events)


def timed(args: list[str], repeat: int) -> tuple[float, float, dict]:
    """Best wall time, the CPU time of that run (the machine is shared: CPU time shows the work itself)."""
    best, cpu, summary = float("inf"), 0.0, {}
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "engine",
                "audit",
                "--as-of",
                "2024-12-31",
                "--format",
                "json",
                "--fail-on",
                "never",
                "-o",
                "/dev/stdout",
                *args,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if wall < best:
            best = wall
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            raise SystemExit(f"audit failed ({result.returncode}): {result.stderr[-2000:]}")
        summary = json.loads(result.stdout)["summary"]
    return best, cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    xlsx, jsonl, count = write_inputs(args.rows, args.out)
    print(f"{args.rows} rows, {count} events; {xlsx} ({xlsx.stat().st_size / 1e6:.1f} MB), {jsonl}")

    from python_calamine import CalamineWorkbook

    began = time.perf_counter()
    cal_rows = len(
        CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    )
    calamine = time.perf_counter() - began
    began = time.perf_counter()
    book = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    opx_rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    openpyxl_s = time.perf_counter() - began
    assert cal_rows == opx_rows, (cal_rows, opx_rows)
    print(
        f"read the sheet: python-calamine {calamine:.2f} s, openpyxl read-only {openpyxl_s:.2f} s "
        f"({openpyxl_s / calamine:.1f}x)"
    )

    log_s, log_cpu, log_summary = timed(["--events", str(jsonl)], args.repeat)
    ledger_s, ledger_cpu, ledger_summary = timed(
        ["--events", str(xlsx), "--mapping", "requests"], args.repeat
    )
    for key in ("events_read", "events_evaluated", "events_rejected", "findings", "by_status"):
        assert log_summary[key] == ledger_summary[key], (key, log_summary[key], ledger_summary[key])
    print(f"audit, JSON Lines log: {log_s:.2f} s wall, {log_cpu:.2f} s CPU (baseline)")
    print(
        f"audit, xlsx ledger + mapping: {ledger_s:.2f} s wall ({ledger_s / log_s:.2f}x), {ledger_cpu:.2f} s CPU "
        f"({ledger_cpu / log_cpu:.2f}x the JSON Lines log); "
        f"same summary: {ledger_summary['events_evaluated']} events, {ledger_summary['findings']} findings"
    )


if __name__ == "__main__":
    main()
