"""Partitioned audits on a real Dask LocalCluster (two worker processes) give the single-process findings."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

EXAMPLES = [str(p) for p in sorted((ROOT / "examples").glob("*-20*/events.jsonl"))]


def audit(*args, tmp):
    result = run_cli(
        "audit", *args, "--format", "json", "--fail-on", "never", "--rejects", str(tmp / "rej.jsonl")
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def same(a, b):
    assert a["findings"] == b["findings"]
    assert a["summary"] == b["summary"]


def test_examples_on_two_workers(tmp_path):
    local = audit("--events", *EXAMPLES, "--as-of", "2024-12-31", tmp=tmp_path)
    dask = audit(
        "--events",
        *EXAMPLES,
        "--as-of",
        "2024-12-31",
        "--backend",
        "dask",
        "--workers",
        "2",
        "--partitions",
        "5",
        tmp=tmp_path,
    )
    same(local, dask)  # the summary's obligation counts too: each shard counts its own, summed
    assert len(local["findings"]) > 100
    assert local["summary"]["obligations"]["total"]["on_time"] > 500


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--events",
            "100000",
            "--out",
            str(out),
            "--parquet",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    return out / "events-100000.jsonl"


def test_generated_100k_on_two_workers_and_from_parquet(generated, tmp_path):
    local = audit("--events", str(generated), "--as-of", "2025-12-31", tmp=tmp_path)
    assert local["summary"]["events_read"] >= 100_000 and local["summary"]["events_rejected"] == 0
    dask = audit("--events", str(generated), "--as-of", "2025-12-31", "--backend", "dask", tmp=tmp_path)
    same(local, dask)
    parquet = audit("--events", str(generated.with_suffix(".parquet")), "--as-of", "2025-12-31", tmp=tmp_path)
    assert parquet["findings"] == local["findings"]
    statuses = local["summary"]["by_status"]
    assert statuses["late"] > 0 and statuses["overdue"] > 0


def test_parquet_split_by_the_workers(generated, tmp_path):
    """Parquet files are cut into row groups split by the Dask workers, JSON Lines by the driver; mixed
    inputs keep their read order (line numbers, which repeat of an id is first) as in one process."""
    parquet = str(generated.with_suffix(".parquet"))
    for events in ([parquet], [EXAMPLES[0], parquet, EXAMPLES[1], parquet]):
        local = audit("--events", *events, "--as-of", "2025-12-31", tmp=tmp_path)
        dask = audit(
            "--events",
            *events,
            "--as-of",
            "2025-12-31",
            "--backend",
            "dask",
            "--partitions",
            "7",
            tmp=tmp_path,
        )
        same(local, dask)
    assert dask["summary"]["duplicates_ignored"] >= 100_000  # the second copy of the Parquet file


def test_corrupt_lines_in_a_large_file_are_reported_and_counted(generated, tmp_path):
    lines = generated.read_text(encoding="utf-8").splitlines()
    middle = len(lines) // 2
    lines[middle] = lines[middle][: len(lines[middle]) // 2]  # a torn line
    lines[middle + 10] = lines[middle + 10].replace('"time": "', '"time": "20XX-')  # a bad time
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for backend in ("local", "dask"):
        report = audit("--events", str(broken), "--as-of", "2025-06-30", "--backend", backend, tmp=tmp_path)
        summary = report["summary"]
        assert summary["events_rejected"] == 2
        assert summary["events_read"] == len(lines)
        assert (
            summary["events_evaluated"]
            + summary["events_after_as_of"]
            + summary["events_rejected"]
            + summary["duplicates_ignored"]
            == summary["events_read"]
        )
        kept = [json.loads(x) for x in (tmp_path / "rej.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [(r["file"], r["line"]) for r in kept] == [
            (str(broken), middle + 1),
            (str(broken), middle + 11),
        ]


def test_a_failing_partition_fails_the_run_loudly(tmp_path):
    result = run_cli(
        "audit",
        "--events",
        EXAMPLES[0],
        "--as-of",
        "2024-12-31",
        "--backend",
        "dask",
        "--rules",
        str(tmp_path / "missing-rules"),
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    assert result.returncode == 2 and "missing-rules" in result.stderr


def test_json_lines_split_by_the_workers_number_lines_as_one_process(generated, tmp_path):
    """Large JSON Lines files are cut into byte ranges split by the workers: a byte order mark, CRLF line
    ends, blank lines and torn lines keep their line numbers; a lone carriage return is not a line break
    (engine/events/jsonl.py) in either: the two lines it joins are one bad line, numbered alike."""
    from engine.scale_split import jsonl_pieces

    lines = generated.read_text(encoding="utf-8").splitlines()
    lines[500] = lines[500][:30]  # torn, in the first range
    lines[70_000] = ""  # blank
    lines[95_000] = lines[95_000][:30]  # torn, in the last range: its line number counts all before it
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    lone = tmp_path / "lone.jsonl"
    lone.write_bytes(("\n".join(lines[:90_000]) + "\r" + "\n".join(lines[90_000:])).encode("utf-8"))
    assert jsonl_pieces(crlf, 0, 4) is not None and jsonl_pieces(lone, 0, 4) is not None
    for path in (crlf, lone):
        local = audit("--events", str(path), "--as-of", "2025-12-31", tmp=tmp_path)
        rejects = (tmp_path / "rej.jsonl").read_text(encoding="utf-8")
        dask = audit("--events", str(path), "--as-of", "2025-12-31", "--backend", "dask", tmp=tmp_path)
        same(local, dask)
        assert (tmp_path / "rej.jsonl").read_text(encoding="utf-8") == rejects
        expected = {501, 95_001} if path == crlf else {501, 90_000, 95_000}  # the CR joined 90,000 and 90,001
        assert {r["line"] for r in map(json.loads, rejects.splitlines())} >= expected
