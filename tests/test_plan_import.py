"""Work-plan import on the four seed documents, checked against task lists written by hand from them."""

import datetime as dt
import json

import pytest
import yaml
from conftest import ROOT, run_cli

from engine.planimport import import_plan
from engine.planphrase import read as read_phrase

SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # copies of shared/seeds (see its README)


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def hand_written(pack: str) -> dict:
    """rules/<pack>/tasks.yaml was transcribed by hand from the seed document, item by item."""
    tasks = yaml.safe_load((ROOT / "rules" / pack / "tasks.yaml").read_text(encoding="utf-8"))["rules"][0][
        "tasks"
    ]
    return {t["id"]: (t["item"], t["lead"], t["responsible"], t.get("due")) for t in tasks}


def imported(text: str, year: int, prefix: str) -> dict:
    return {t.id: (t.item, t.lead, t.responsible, t.due) for t in import_plan(text, year, prefix).tasks}


def test_jiangsu_2018_every_item():
    got = imported(seed("004"), 2018, "JS2018")
    assert len(got) == 39
    assert got == hand_written("jiangsu-2018")


def test_shanghai_2024_every_task():
    got = imported(seed("000"), 2024, "SH2024")
    assert len(got) == 33  # 16 items, split where an item has several 完成时间
    # the 重大行政决策事项目录 ((一)2, (九)1) and 列席 ((九)2) are judged by their own events in plan.yaml
    # (shanghai-2024.decision-catalog, shanghai-2024.public-attendance), not as hand-completed tasks
    by_rules = {"SH2024-01-2", "SH2024-09-1", "SH2024-09-2"}
    assert {k: v for k, v in got.items() if k not in by_rules} == hand_written("shanghai-2024")


def test_formats_of_the_seeds():
    tasks = {t.id: t for t in import_plan(seed("004"), 2018, "JS2018").tasks}
    # item 5 has no opening parenthesis before 牵头部门
    assert (tasks["JS2018-05"].lead, tasks["JS2018-05"].phrase, tasks["JS2018-05"].due) == (
        ["办公室"],
        "2018年底前",
        dt.date(2018, 12, 31),
    )
    # "8对本单位..." has no separator after the number
    assert tasks["JS2018-08"].title.startswith("对本单位不予公开的信息")
    # spaces instead of semicolons; "完成时限5月底前" without a colon
    assert tasks["JS2018-17"].lead == ["办公室", "12348中心"] and tasks["JS2018-17"].due == dt.date(
        2018, 5, 31
    )
    # 6月份前 = before June
    assert tasks["JS2018-18"].due == dt.date(2018, 5, 31)
    # 4月份出台监测标准
    assert tasks["JS2018-13"].due == dt.date(2018, 4, 30)
    # items without any date, and 定期/按期
    assert tasks["JS2018-16"].phrase is None and tasks["JS2018-39"].due is None
    assert (tasks["JS2018-24"].phrase, tasks["JS2018-24"].due) == ("定期", None)
    assert tasks["JS2018-31"].phrase == "按期"
    # the source line is the item's own line in the text
    assert seed("004").splitlines()[tasks["JS2018-23"].line - 1].startswith("23健全完善部门文件报送制度")


def test_full_width_punctuation_reads_the_same():
    half = seed("004")
    full = half.translate(str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"}))
    assert imported(full, 2018, "JS2018") == imported(half, 2018, "JS2018")


@pytest.mark.parametrize(
    "phrase, due",
    [
        ("3月", dt.date(2024, 3, 31)),
        ("2月底", dt.date(2024, 2, 29)),
        ("3月中旬", dt.date(2024, 3, 20)),
        ("5月底前", dt.date(2024, 5, 31)),
        ("6月份前", dt.date(2024, 5, 31)),
        ("全年", dt.date(2024, 12, 31)),
        ("2018年底前", dt.date(2018, 12, 31)),
        ("4月份出台监测标准", dt.date(2024, 4, 30)),
        ("按期", None),
        ("定期", None),
        ("3月上旬", dt.date(2024, 3, 10)),
        ("11月", dt.date(2024, 11, 30)),
    ],
)
def test_phrase_readings(phrase, due):
    reading = read_phrase(phrase, 2024)
    assert (reading.due, reading.understood) == (due, True)


def test_unreadable_phrase_is_listed_not_guessed():
    result = import_plan("1、做好某项工作。(责任部门:办公室  完成时限:尽快)\n", 2024, "X")
    assert result.tasks[0].due is None
    assert result.unread == [
        {
            "item": "1",
            "line": 1,
            "phrase": "尽快",
            "why": "无法解读的完成时限，请人工核对（no known reading）",
        }
    ]


def drafts(text):
    return [
        (d["item"], d["kind"], d.get("within") or d.get("at_least"))
        for d in import_plan(text, 2021, "X").drafts
    ]


def test_draft_obligations_in_the_prose():
    assert drafts(seed("002")) == [
        ("2", "min_span", "30d"),
        ("4", "deadline", "3wd"),
        ("4", "deadline", "7d"),
        ("8", "deadline", "3wd"),
    ]
    assert drafts(seed("003")) == [("12", "deadline", "5h"), ("12", "deadline", "24h")]
    assert drafts(seed("004")) == [
        ("10", "count", 3),
        ("11", "deadline", "3wd"),
        ("23", "deadline", "5wd"),
        ("29", "count", 4),
        ("29", "count", 1),
    ]
    counts = [d for d in import_plan(seed("004"), 2018, "X").drafts if d["kind"] == "count"]
    assert [(d["what"], d["per"]) for d in counts[1:]] == [
        ("在线访谈", "year"),
        ("司法行政开放日活动", "year"),
    ]
    assert drafts(seed("000")) == [("(九)", "count", 1), ("(十五)", "count", 1)]


def test_round_trip_import_complete_audit(tmp_path):
    out = tmp_path / "tasks.yaml"
    result = run_cli(
        "plan",
        "import",
        str(next(SEEDS.glob("004_*.txt"))),
        "--body",
        "江苏省司法厅",
        "--year",
        "2018",
        "--id-prefix",
        "JS2018",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("39 tasks (32 with a due date)")
    review = yaml.safe_load((tmp_path / "tasks.review.yaml").read_text(encoding="utf-8"))
    assert len(review["drafts"]) == 5 and review["unread"] == []
    events = tmp_path / "done.jsonl"
    done = ["JS2018-01", "JS2018-02", "JS2018-03", "JS2018-36"]  # the other two 2月底 tasks (23) stay open
    events.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"c{i}",
                    "type": "task.completed",
                    "subject": t,
                    "time": "2018-02-27",
                    "body": "江苏省司法厅",
                },
                ensure_ascii=False,
            )
            + "\n"
            for i, t in enumerate(done)
        ),
        encoding="utf-8",
    )
    # only the imported pack (--rules alone adds it to the bundled packs)
    report = run_cli(
        "audit",
        "--rules",
        str(out),
        "--no-bundled-rules",
        "--events",
        str(events),
        "--as-of",
        "2018-03-05",
        "--format",
        "json",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    findings = json.loads(report.stdout)["findings"]
    # due by 03-05: the four 2月底 tasks done on 02-27 and item 23 (2月底, 法制处) never done
    assert [(f["subject"], f["status"], f["department"], f["deadline_text"]) for f in findings] == [
        ("JS2018-23", "overdue", "法制处", "2018-02-28 24:00")
    ]
    html = run_cli(
        "audit",
        "--rules",
        str(out),
        "--no-bundled-rules",
        "--events",
        str(events),
        "--as-of",
        "2018-03-05",
        "--format",
        "html",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    assert 'data-task="JS2018-23"' in html.stdout and "任务看板" in html.stdout
