"""The example ledgers (examples/ledgers/, real .xlsx written by its generate.py from the example logs)
audited end to end: the four workbooks plus others.jsonl give exactly the findings of the JSON Lines log,
and the GBK CSV the findings of its workbook."""

import json
import re
import sys

import pytest
from conftest import ROOT, run_cli

LEDGERS = ROOT / "examples" / "ledgers"
MAPPINGS = ("requests", "policies", "consultations", "incidents")
BOOKS = ("依申请公开登记台账.xlsx", "政策文件发布台账.xlsx", "征求意见台账.xlsx", "舆情突发事件台账.xlsx")
ID = re.compile(r"\S+-E\d{5}|\S+E\d{5}|\S+:[a-z_]+\.[a-z_]+(:\S+-JD)?")  # event ids, log's and ledger's


def audit(tmp_path, *args):
    result = run_cli(
        "audit",
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--rejects",
        str(tmp_path / "rejects.jsonl"),
        *args,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def comparable(finding: dict) -> str:
    """A finding without what names events by id (the ledger makes its own ids)."""
    f = {k: v for k, v in finding.items() if k != "fingerprint"}
    for key in ("trigger", "fulfilment"):
        if f[key]:
            f[key] = {"type": f[key]["type"], "time": f[key]["time"]}
    f["message"] = ID.sub("ID", f["message"])
    f["explanation"] = [ID.sub("ID", line) for line in f["explanation"]]
    return json.dumps(f, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("body", ["shanghai-2024", "linyi-2021", "binhai-2017", "jiangsu-2018"])
def test_ledgers_give_the_findings_of_the_log(tmp_path, body):
    log = audit(tmp_path, "--events", str(ROOT / "examples" / body / "events.jsonl"))
    books = [str(LEDGERS / body / name) for name in BOOKS]
    ledgers = audit(
        tmp_path, "--events", *books, str(LEDGERS / body / "others.jsonl"), "--mapping", *MAPPINGS
    )
    assert ledgers["summary"]["events_rejected"] == 0
    assert ledgers["summary"]["events_evaluated"] == log["summary"]["events_evaluated"]
    assert sorted(map(comparable, ledgers["findings"])) == sorted(map(comparable, log["findings"]))
    assert (
        len(ledgers["findings"])
        == {"shanghai-2024": 35, "linyi-2021": 24, "binhai-2017": 33, "jiangsu-2018": 51}[body]
    )


def test_hand_checked_request_from_the_workbook_and_the_gbk_csv(tmp_path):
    """SH-YSQ-2024-SHOW (examples/README.md): received Fri 2024-09-27 16:00; 20 working days counting the
    make-up Sunday 09-29 and Saturday 10-12, skipping 10-01..10-07 (国办发明电〔2023〕7号) end 2024-10-30;
    replied 10-31: late by 1 working day."""
    found = {}
    for name in ("依申请公开登记台账.xlsx", "依申请公开登记台账.csv"):
        report = audit(tmp_path, "--events", str(LEDGERS / "shanghai-2024" / name), "--mapping", "requests")
        found[name] = sorted(map(comparable, report["findings"]))
        show = [f for f in report["findings"] if f["subject"] == "SH-YSQ-2024-SHOW"]
        assert [(f["rule"], f["status"], f["deadline_text"], f["overdue_by"]) for f in show] == [
            ("ogi.request-reply", "late", "2024-10-30 24:00", "1wd")
        ]
    assert found["依申请公开登记台账.xlsx"] == found["依申请公开登记台账.csv"]
    assert (LEDGERS / "shanghai-2024" / "依申请公开登记台账.csv").read_bytes().decode("gbk")  # really GBK


def test_generator_rewrites_the_same_ledgers(tmp_path):
    """The committed files are what generate.py writes (same rows, same cells), written here elsewhere."""
    import subprocess

    import openpyxl

    subprocess.run([sys.executable, str(LEDGERS / "generate.py"), str(tmp_path)], check=True, timeout=120)
    committed = sorted(
        p.relative_to(LEDGERS) for p in LEDGERS.rglob("*") if p.suffix in (".jsonl", ".csv", ".xlsx")
    )
    assert committed == sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.suffix in (".jsonl", ".csv", ".xlsx")
    )
    for name in committed:
        if name.suffix == ".xlsx":

            def cells(path):
                return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]

            assert cells(LEDGERS / name) == cells(tmp_path / name), name
        else:
            assert (LEDGERS / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_ledger_check_shows_rows_and_located_cells(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(LEDGERS / "shanghai-2024" / "依申请公开登记台账.xlsx")
    book.active["F3"] = "9/10/2024"  # 收到申请日期 of the first request, typed day-first
    bad = tmp_path / "台账.xlsx"
    book.save(bad)
    result = run_cli("ledger", "check", str(bad), "--mapping", "requests")
    assert result.returncode == 2, result.stderr
    assert "第3行  不能读取" in result.stdout and "F3「收到申请日期」" in result.stdout
    assert "可能是9月10日，也可能是10月9日" in result.stdout
    assert "第4行  SH-YSQ-2024-002  2024-09-06T12:40  收到政府信息公开申请 request.received" in result.stdout
    good = run_cli(
        "ledger",
        "check",
        str(LEDGERS / "shanghai-2024" / "依申请公开登记台账.csv"),
        "--mapping",
        "requests",
        "--format",
        "json",
    )
    assert good.returncode == 0
    report = json.loads(good.stdout)
    assert report["encoding"] == "gb18030" and report["counts"]["unreadable_rows"] == 0
