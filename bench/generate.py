"""Synthetic event logs for the scale benchmark: N events, many bodies, a realistic mix, fixed seed.

Each body publishes documents (issued, published, some interpreted, some normative documents submitted),
answers information requests (some with supplements, third-party consultations or extensions), has a
few incidents, opinions and consultations, holds interviews and reports tasks done. Times are placed
with the working-day calendar, so holidays and make-up days shape the data as they would a real year;
about one obligation in eight is late or never met.

Run: .venv/bin/python bench/generate.py --events 1000000 --out bench/data [--parquet] [--seed 7]
Writes bench/data/events-<N>.jsonl (and .parquet). Not committed: bench/data/ is git-ignored.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from engine.calendar import load_calendar

PROVINCES = ["江苏省", "山东省", "上海市", "天津市", "浙江省", "广东省", "四川省", "湖北省"]
DEPARTMENTS = ["办公室", "法制处", "宣教处", "律师工作处", "公共法律服务处", "行政复议处", "信息中心"]
YEARS = (2021, 2025)


def _days(rng, n, cal):
    """Random working days between YEARS, as numpy datetime64[D]."""
    start = np.datetime64(f"{YEARS[0]}-01-04")
    span = (np.datetime64(f"{YEARS[1]}-11-30") - start).astype(int)
    raw = start + rng.integers(0, span, n).astype("timedelta64[D]")
    return cal.add_working_days_array(raw - np.timedelta64(1, "D"), 1)  # the next working day on or after


def _clock(rng, n):
    return [f"T{h:02d}:{m:02d}" for h, m in zip(rng.integers(8, 18, n), rng.integers(0, 60, n))]


def generate(total: int, seed: int):
    """Yield event dicts, about `total` of them."""
    cal = load_calendar()
    rng = np.random.default_rng(seed)
    bodies = [
        f"{p}{i:03d}司法局" for p in PROVINCES for i in range(max(1, total // 20_000 // len(PROVINCES) + 1))
    ]
    per_body = int(total / len(bodies) / 0.8) + 1  # a little more than needed; main() stops at `total`
    count = 0
    for b, body in enumerate(bodies):
        n_docs, n_req = int(per_body * 0.2), int(per_body * 0.16)
        dept = np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), max(n_docs, n_req))]
        # documents: issued, published after a few days (some late), interpretation after a few working days
        issued = _days(rng, n_docs, cal)
        pub = cal.add_working_days_array(
            issued, rng.choice([1, 2, 3, 4, 5, 9, 25], n_docs, p=[0.2, 0.25, 0.2, 0.15, 0.1, 0.06, 0.04])
        )
        interp = cal.add_working_days_array(
            pub, rng.choice([0, 1, 2, 3, 5], n_docs, p=[0.2, 0.3, 0.25, 0.15, 0.1])
        )
        doc_type = rng.choice(["政策文件", "规范性文件", "其他文件"], n_docs, p=[0.5, 0.2, 0.3])
        t1, t2, t3 = _clock(rng, n_docs), _clock(rng, n_docs), _clock(rng, n_docs)
        for i in range(n_docs):
            subject = f"D{b:04d}-{i:06d}"
            attrs = {"doc_type": str(doc_type[i]), "disclosure": "主动公开", "文号": f"司发〔{i}〕{b}号"}
            yield {
                "id": f"{subject}-i",
                "type": "document.issued",
                "subject": subject,
                "time": f"{issued[i]}{t1[i]}",
                "body": body,
                "department": str(dept[i]),
                **attrs,
            }
            if i % 23:
                yield {
                    "id": f"{subject}-p",
                    "type": "document.published",
                    "subject": subject,
                    "time": f"{pub[i]}{t2[i]}",
                    "body": body,
                    "department": str(dept[i]),
                    **attrs,
                    "成文日期": str(issued[i]),
                    "发布日期": str(pub[i]),
                    "有效性": "有效",
                }
                if doc_type[i] != "其他文件" and i % 17:
                    yield {
                        "id": f"{subject}-j",
                        "type": "interpretation.published",
                        "subject": f"{subject}-JD",
                        "time": f"{interp[i]}{t3[i]}",
                        "body": body,
                        "department": str(dept[i]),
                        "policy": subject,
                    }
                count += 2
            count += 1
        # requests: received, maybe supplement / third party / extension, replied (some late, some never)
        received = _days(rng, n_req, cal)
        kind = rng.random(n_req)
        reply_after = rng.choice(
            [5, 10, 15, 19, 20, 23, 30], n_req, p=[0.1, 0.25, 0.25, 0.15, 0.1, 0.1, 0.05]
        )
        r1, r2 = _clock(rng, n_req), _clock(rng, n_req)
        for i in range(n_req):
            subject = f"R{b:04d}-{i:06d}"
            common = {"subject": subject, "body": body, "department": "办公室"}
            yield {
                "id": f"{subject}-r",
                "type": "request.received",
                "time": f"{received[i]}{r1[i]}",
                **common,
            }
            start, extra = received[i], 0
            if kind[i] < 0.08:
                asked = cal.add_working_days_array(np.array([start]), 3)[0]
                start = cal.add_working_days_array(np.array([asked]), 6)[0]
                yield {
                    "id": f"{subject}-sq",
                    "type": "supplement.requested",
                    "time": f"{asked}T10:00",
                    **common,
                }
                yield {
                    "id": f"{subject}-sr",
                    "type": "supplement.received",
                    "time": f"{start}T10:00",
                    **common,
                }
                count += 2
            elif kind[i] < 0.16:
                ask = cal.add_working_days_array(np.array([start]), 4)[0]
                back = cal.add_working_days_array(np.array([ask]), 8)[0]
                yield {
                    "id": f"{subject}-tc",
                    "type": "third_party.consulted",
                    "time": f"{ask}T10:00",
                    **common,
                }
                yield {
                    "id": f"{subject}-tr",
                    "type": "third_party.replied",
                    "time": f"{back}T10:00",
                    **common,
                }
                extra, count = 8, count + 2
            elif kind[i] < 0.22:
                ext = cal.add_working_days_array(np.array([start]), 15)[0]
                yield {
                    "id": f"{subject}-x",
                    "type": "extension.approved",
                    "time": f"{ext}T10:00",
                    "days": 20,
                    **common,
                }
                extra, count = 20, count + 1
            if kind[i] < 0.97:
                done = cal.add_working_days_array(np.array([start]), int(reply_after[i]) + extra)[0]
                yield {"id": f"{subject}-a", "type": "request.replied", "time": f"{done}{r2[i]}", **common}
                count += 1
            count += 1
        # incidents, opinions, interviews, annual reports
        for y in range(YEARS[0], YEARS[1] + 1):
            for k in range(4):
                day = _days(rng, 1, cal)[0]
                yield {
                    "id": f"I{b}-{y}-{k}",
                    "type": "interview.held",
                    "subject": f"I{b}-{y}-{k}",
                    "time": f"{day}T10:00",
                    "body": body,
                    "department": "宣教处",
                }
            yield {
                "id": f"AR{b}-{y}",
                "type": "annual_report.published",
                "subject": f"AR{b}-{y}",
                "time": f"{y + 1}-01-{int(rng.integers(10, 29))}",
                "body": body,
                "department": "办公室",
                "year": y,
            }
            count += 5
        for k in range(max(1, per_body // 2000)):
            at = _days(rng, 1, cal)[0]
            yield {
                "id": f"E{b}-{k}",
                "type": "incident.occurred",
                "subject": f"E{b}-{k}",
                "time": f"{at}T03:10",
                "body": body,
                "department": "宣教处",
                "level": "重大",
            }
            yield {
                "id": f"E{b}-{k}-i",
                "type": "info.released",
                "subject": f"E{b}-{k}",
                "time": f"{at}T0{int(rng.integers(5, 10))}:00",
                "body": body,
                "department": "宣教处",
            }
            count += 2
        if count >= total * 1.2:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("bench/data"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parquet", action="store_true", help="also write Parquet (pyarrow)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"events-{args.events}.jsonl"
    t0, n = time.perf_counter(), 0
    with open(path, "w", encoding="utf-8") as out:
        for record in generate(args.events, args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
            if n == args.events:
                break
    print(f"{path}: {n:,} events in {time.perf_counter() - t0:.1f} s")
    if args.parquet:
        to_parquet(path)


def to_parquet(path: Path) -> Path:
    """The same log as Parquet, text kept as text (pyarrow would read ISO dates as timestamps)."""
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    text = pa.string()
    schema = pa.schema(
        [(k, text) for k in ("id", "type", "subject", "time", "body", "department", "成文日期", "发布日期")]
    )
    table = pj.read_json(path, parse_options=pj.ParseOptions(explicit_schema=schema))
    out = path.with_suffix(".parquet")
    pq.write_table(table, out, row_group_size=1 << 18)
    print(f"{out}: {table.num_rows:,} rows")
    return out


if __name__ == "__main__":
    main()
