"""The long fuzz run of issue #21 (`make fuzz`), outside CI: the generators and checks of tests/fuzzing.py,
many more inputs, each batch in a child process so that a crash (a signal: SIGSEGV in a C extension) or a
hang (an input over its time limit) is counted instead of ending the run.

    make fuzz                                        # about 20 minutes on 2 cores
    .venv/bin/python bench/fuzz_run.py --batches 2 --examples 100 --targets jsonl csv

Prints, per target and in all: inputs tried, located errors (rejects and errors naming their place),
tracebacks, crashes, hangs, lines lost, errors without a place; exit 1 unless the last four are all 0.
A failure's first examples are written to --failures (JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["jsonl", "csv", "parquet", "xlsx", "rules", "plans", "bodies", "watch"]
HANG_SECONDS = 60  # one input taking longer than this counts as a hang


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def child(target: str, examples: int, seed: int, out: Path) -> None:
    """Run `examples` inputs of one target from `seed`; write the Counts as JSON to `out`."""
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT))
    import fuzzing as f
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as with_seed

    from engine.columnar.screen import attributes_read
    from engine.engine import Engine

    engine = Engine.load()
    vocabulary, attributes = engine.ruleset.event_types, attributes_read(engine.ruleset)
    total = f.Counts()
    hangs = 0
    work = Path(tempfile.mkdtemp(prefix=f"shixian-fuzz-{target}-"))
    monitor = store = None
    if target == "watch":
        from engine.live import LiveMonitor, SimulatedClock
        from engine.state import AuditStore
        from engine.timeparse import parse_instant

        store = AuditStore(work / "w.sqlite")
        monitor = LiveMonitor(
            engine, store, SimulatedClock(parse_instant("2024-12-31T23:00")[0]), lambda a: None
        )

    def one(check, *args):
        nonlocal hangs
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_SECONDS)
        try:
            total.add(check(*args))
        except Hang:
            hangs += 1
            total.inputs += 1
        finally:
            signal.alarm(0)

    strategies = {
        "jsonl": f.jsonl_log(),
        "csv": f.csv_log(),
        "parquet": f.parquet_log(),
        "xlsx": f.xlsx_ledger(),
        "rules": f.rule_file(),
        "plans": f.plan(),
        "bodies": f.body_bytes(),
        "watch": f.st.lists(f.st.integers(0, 10_000).flatmap(f.hostile_line), min_size=1, max_size=8),
    }

    @with_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategies[target])
    def run(value):
        if target in ("jsonl", "csv"):
            data, must = value
            path = work / f"events.{target}"
            path.write_bytes(data)
            one(f.check_event_file, path, must, vocabulary, attributes)
        elif target == "parquet":
            import pyarrow.parquet as pq

            table, group, must = value
            path = work / "events.parquet"
            pq.write_table(table, path, row_group_size=group)
            one(f.check_event_file, path, must, vocabulary, attributes, table.num_rows)
        elif target == "xlsx":
            from engine import ledger

            rows, count = value
            path = work / "台账.xlsx"
            f.write_xlsx(rows, path)
            ledger.attach([path], ledger.load_mapping("requests", vocabulary))
            one(f.check_event_file, path, {}, vocabulary, attributes, count)
        elif target == "rules":
            one(f.check_rule_file, work, value)
        elif target == "plans":
            one(f.check_plan, engine, value)
        elif target == "bodies":
            one(check_body, f, engine, value)
        else:
            one(f.check_watch, monitor, [data for data, _ in value])

    run()
    if store is not None:
        store.close()
    result = {
        "inputs": total.inputs,
        "located": total.located,
        "tracebacks": total.tracebacks,
        "lost": total.lost,
        "unlocated": total.unlocated,
        "hangs": hangs,
        "failures": total.failures,
    }
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def check_body(f, engine, data: bytes):
    """A request body as the HTTP service reads it (engine/httpjson.py), then checked as a plan."""
    import json as json_module

    from engine.httpjson import parse_body

    counts = f.Counts(inputs=1)
    try:
        value = parse_body(data)
    except json_module.JSONDecodeError:
        counts.located += 1
        return counts
    except Exception:
        import traceback

        counts.fail("tracebacks", traceback.format_exc(), data)
        return counts
    if isinstance(value, dict):
        inner = f.check_plan(engine, value)
        inner.inputs = 0
        counts.add(inner)
    else:
        counts.located += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description="the long fuzz run of issue #21")
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--batches", type=int, default=6, help="child processes per target")
    parser.add_argument("--examples", type=int, default=400, help="inputs per child process")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--failures", type=Path, default=ROOT / "out" / "fuzz-failures.json")
    parser.add_argument(
        "--child", nargs=4, metavar=("TARGET", "EXAMPLES", "SEED", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        target, examples, seed, out = args.child
        child(target, int(examples), int(seed), Path(out))
        return 0
    keys = ["inputs", "located", "tracebacks", "crashes", "hangs", "lost", "unlocated"]
    totals = {k: 0 for k in keys}
    failures = []
    print(f"{'target':<8} " + " ".join(f"{k:>10}" for k in keys) + "   seconds")
    for target in args.targets:
        row = {k: 0 for k in keys}
        start = time.monotonic()
        for batch in range(args.batches):
            seed = args.seed * 1000 + batch
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
                out = Path(handle.name)
            budget = HANG_SECONDS * 4 + args.examples * 5
            try:
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", target, str(args.examples), str(seed), str(out)],
                    cwd=ROOT,
                    capture_output=True,
                    timeout=budget,
                    env={**os.environ, "PYTHONHASHSEED": "0"},
                )
            except subprocess.TimeoutExpired:
                row["hangs"] += 1
                failures.append(
                    {"target": target, "seed": seed, "kind": "hang", "what": f"batch over {budget} s"}
                )
                continue
            if proc.returncode != 0 or not out.read_text(encoding="utf-8"):
                row["crashes"] += 1
                failures.append(
                    {
                        "target": target,
                        "seed": seed,
                        "kind": "crash",
                        "returncode": proc.returncode,
                        "what": proc.stderr.decode("utf-8", "replace")[-2000:],
                    }
                )
                continue
            result = json.loads(out.read_text(encoding="utf-8"))
            out.unlink()
            for key in keys:
                row[key] += result.get(key, 0)
            failures += [{"target": target, "seed": seed, **failure} for failure in result["failures"]]
        for key in keys:
            totals[key] += row[key]
        print(
            f"{target:<8} "
            + " ".join(f"{row[k]:>10,}" for k in keys)
            + f"   {time.monotonic() - start:7.0f}",
            flush=True,
        )
    print(f"{'all':<8} " + " ".join(f"{totals[k]:>10,}" for k in keys))
    if failures:
        args.failures.parent.mkdir(parents=True, exist_ok=True)
        args.failures.write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"failures: {args.failures}")
    bad = sum(totals[k] for k in ("tracebacks", "crashes", "hangs", "lost", "unlocated"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
