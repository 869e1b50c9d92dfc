"""Event logs written by hand or exported from Excel: a type given by its Chinese label and a time typed as
2024/9/27 16:00 are read (the same through the columnar and the row reader); year-last dates are refused."""

import json

from conftest import run_cli

from engine.events import read_events
from engine.ruleset.loader import load_rules

VOCAB = load_rules([]).event_types


def test_labels_and_typed_times_in_a_csv(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(
        (
            "id,type,subject,time,body\r\n"
            "e1,收到政府信息公开申请,R1,2024/9/27 16:00,临沂市司法局\r\n"
            "e2,答复申请人,R1,2024年10月31日 10:00,临沂市司法局\r\n"
            "e3,request.received,R2,9/10/2024,临沂市司法局\r\n"
            "e4,收到信息公开申请,R3,2024-09-27,临沂市司法局\r\n"
        ).encode("gbk")
    )
    log = read_events([path], VOCAB)
    assert [(e.type, e.time.isoformat(), e.date_only) for e in log.events] == [
        ("request.received", "2024-09-27T16:00:00+08:00", False),
        ("request.replied", "2024-10-31T10:00:00+08:00", False),
    ]
    reasons = {r.line: r.reason for r in log.rejects}
    assert reasons[4].startswith("bad time '9/10/2024'") and "可能是9月10日，也可能是10月9日" in reasons[4]
    assert (
        reasons[5].startswith("unknown event type '收到信息公开申请'")
        and "「收到政府信息公开申请」" in reasons[5]
    )
    result = run_cli(
        "audit",
        "--events",
        str(path),
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--max-rejected",
        "50%",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    report = json.loads(result.stdout)
    findings = [
        (f["rule"], f["subject"], f["status"], f["deadline_text"])
        for f in report["findings"]
        if f["subject"] == "R1"
    ]
    # received Fri 2024-09-27 16:00: 20 working days (09-29 and 10-12 worked, 10-01..10-07 off,
    # 国办发明电〔2023〕7号) end 2024-10-30; replied 10-31: late
    assert findings == [("ogi.request-reply", "R1", "late", "2024-10-30 24:00")]
