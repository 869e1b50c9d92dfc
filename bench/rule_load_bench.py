"""Rule loading at province scale: N generated deadline rules in packs of 1,000, loaded with every check
(`engine.ruleset.loader.load_rules`), each phase timed, against a baseline measured in the same run:
PyYAML's C loader parsing the same files into plain data (no positions, no validation), the floor of any
YAML reading. A province's packs will have thousands of rules (issue #21: 12,000 took 98 s once).

    make bench-rules                       # 12,000 rules
    .venv/bin/python bench/rule_load_bench.py --rules 3000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.ruleset.loader import load_rules  # noqa: E402
from engine.yamlsource import load_yaml_file  # noqa: E402

PER_FILE = 1000
TYPES = [
    ("request.received", "request.replied"),
    ("document.issued", "document.published"),
    ("document.published", "interpretation.published"),
]


def write_packs(folder: Path, count: int) -> list[Path]:
    files = []
    for start in range(0, count, PER_FILE):
        lines = [f"pack: bench-{start // PER_FILE}", "rules:"]
        for k in range(start, min(count, start + PER_FILE)):
            trigger, fulfil = TYPES[k % len(TYPES)]
            lines += [
                f"  - id: bench.rule-{k}",
                "    kind: deadline",
                f"    title: 第{k}条 期限规则",
                "    source: {document: 《基准测试规则》, article: 第" + str(k) + "条, text: 应在期限内完成}",
                f"    effective: {{from: 20{10 + k % 10}-01-01}}",
                f"    applies_to: {{body: 机关{k % 97}}}",
                f"    trigger: {trigger}",
                f"    fulfil: {fulfil}",
                f"    within: {1 + k % 30}wd",
            ]
        path = folder / f"pack-{start // PER_FILE:03d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def timed(what, *args):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time is the steadier."""
    start, cpu = time.perf_counter(), time.process_time()
    result = what(*args)
    return result, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=12_000)
    parser.add_argument("--profile", action="store_true", help="also print where load_rules spends its time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        files = write_packs(folder, args.rules)
        size = sum(p.stat().st_size for p in files)
        _, floor, floor_cpu = timed(
            lambda: [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in files]
        )
        _, located, located_cpu = timed(lambda: [load_yaml_file(p) for p in files])
        ruleset, full, full_cpu = timed(load_rules, [folder])
        assert len(ruleset.rules) == args.rules
        print(
            f"{args.rules:,} rules in {len(files)} files ({size / 1e6:.1f} MB); wall s, CPU s, ratio of CPU s"
        )
        print(f"  baseline: PyYAML C loader, plain data      {floor:6.2f}  {floor_cpu:6.2f}   1.00x")
        print(
            f"  YAML with positions (engine/yamlsource.py) {located:6.2f}  {located_cpu:6.2f}   "
            f"{located_cpu / floor_cpu:.2f}x"
        )
        print(
            f"  load_rules, every check                    {full:6.2f}  {full_cpu:6.2f}   {full_cpu / floor_cpu:.2f}x"
        )
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(load_rules, [folder])
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
            print(out.getvalue())


if __name__ == "__main__":
    main()
