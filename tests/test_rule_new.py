"""`shixian rule new` writes a rule with its source and two test cases around the deadline, computed with
the calendar; the file validates and both cases pass (and fail when the rule is changed)."""

import os
import pty
import select
import sys

import yaml
from conftest import ROOT, run_cli

PARTS = [
    "--id",
    "demo.normative-filing",
    "--title",
    "行政规范性文件应在印发之日起20日内报送备案",
    "--document",
    "《示例市行政规范性文件管理办法》",
    "--article",
    "第十五条",
    "--text",
    "行政规范性文件应当自印发之日起20日内报送备案。",
    "--trigger",
    "文件印发",
    "--fulfil",
    "normative.submitted",
    "--within",
    "20日",
    "--effective-from",
    "2025/01/01",
]


def test_scaffold_validates_and_its_two_cases_pass(tmp_path):
    out = tmp_path / "demo" / "pack.yaml"
    # 2025-09-12 + 20日 = 10-02, in the National Day holiday (10-01..10-08, 国办发明电〔2024〕12号): rolls to 10-09
    result = run_cli("rule", "new", *PARTS, "--example-start", "2025-09-12", "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "示例截止 2025-10-09 24:00" in result.stdout
    assert "顺延至其后第一个工作日 2025-10-09（民法典第二百零三条）" in result.stdout
    rule = yaml.safe_load(out.read_text(encoding="utf-8"))["rules"][0]
    assert rule["trigger"] == "document.issued" and rule["within"] == "20d"  # the label and unit as ids
    assert rule["source"]["article"] == "第十五条"
    on_time, late = rule["tests"]
    assert on_time["events"][1]["time"] == "2025-10-09T23:00" and on_time["expect"] == []
    assert late["events"][1]["time"] == "2025-10-10T09:00"
    assert late["expect"] == [{"subject": "S1", "status": "late", "deadline": "2025-10-09"}]
    assert run_cli("validate", str(out)).returncode == 0
    tested = run_cli("test", str(out))
    assert tested.returncode == 0 and tested.stdout.strip().endswith("2 passed, 0 failed")
    # the cases can fail: with 10d the last day is 09-22, so the first case is late and the second's deadline differs
    out.write_text(out.read_text(encoding="utf-8").replace("within: 20d", "within: 10d"), encoding="utf-8")
    assert run_cli("test", str(out)).returncode == 1


def test_working_days_and_append_to_a_pack(tmp_path):
    out = tmp_path / "pack.yaml"
    assert run_cli("rule", "new", *PARTS, "--example-start", "2025-09-12", "-o", str(out)).returncode == 0
    # 2024-09-27 (Fri) + 3个工作日: 09-29 (make-up Sunday), 09-30, 10-08 (domain notes' worked example)
    result = run_cli(
        "rule",
        "new",
        "--id",
        "demo.interp",
        "--title",
        "解读3个工作日内发布",
        "--document",
        "d",
        "--article",
        "a",
        "--text",
        "t",
        "--trigger",
        "document.published",
        "--fulfil",
        "interpretation.published",
        "--within",
        "3个工作日",
        "--example-start",
        "2024-09-27 16:00",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "示例截止 2024-10-08 24:00" in result.stdout
    rules = yaml.safe_load(out.read_text(encoding="utf-8"))["rules"]
    assert [r["id"] for r in rules] == ["demo.normative-filing", "demo.interp"]
    assert rules[1]["tests"][1]["events"][1]["time"] == "2024-10-09T09:00"
    assert run_cli("test", str(out)).stdout.strip().endswith("4 passed, 0 failed")
    # the same id again is refused, the file left as it was
    before = out.read_text(encoding="utf-8")
    again = run_cli("rule", "new", *PARTS, "--example-start", "2025-09-12", "-o", str(out))
    assert again.returncode == 2 and "已有编号为 demo.normative-filing 的规则" in again.stderr
    assert out.read_text(encoding="utf-8") == before


def test_bad_part_is_refused_with_the_fix(tmp_path):
    args = [a if a != "20日" else "20w" for a in PARTS]
    result = run_cli("rule", "new", *args, "--no-input", "-o", str(tmp_path / "p.yaml"))
    assert result.returncode == 2
    assert "--within：期限写法不对：'20w'。是否要写 '140d'？" in result.stderr
    args = [a if a != "文件印发" else "文件发布" for a in PARTS]
    result = run_cli("rule", "new", *args, "--no-input", "-o", str(tmp_path / "p.yaml"))
    assert result.returncode == 2 and "是否要写 'document.published'（文件公开发布）？" in result.stderr
    assert not (tmp_path / "p.yaml").exists()


def test_prompts_on_a_terminal(tmp_path):
    out = tmp_path / "p.yaml"
    answers = [
        "demo.tty",
        "3个工作日内发布解读",
        "d",
        "a",
        "t",
        "文件公开发布",
        "interpretation.published",
        "3周",
        "3个工作日",
        "",
        "",
    ]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on a terminal
        os.chdir(ROOT)
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "engine",
                "rule",
                "new",
                "--example-start",
                "2024-09-27 16:00",
                "-o",
                str(out),
            ],
        )
    output = b""
    for answer in answers:
        while "：".encode() not in output.rsplit(b"\n", 1)[-1]:
            ready, _, _ = select.select([fd], [], [], 60)
            assert ready, output.decode()
            output += os.read(fd, 4096)
        os.write(fd, answer.encode() + b"\n")
        output += b"\n"
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        try:
            chunk = os.read(fd, 4096) if ready else b""
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "期限写法不对：'3周'。是否要写 '21d'？" in text  # asked again, with the fix
    rule = yaml.safe_load(out.read_text(encoding="utf-8"))["rules"][0]
    assert (rule["trigger"], rule["within"]) == ("document.published", "3wd")


HEAD_PARTS = ["--document", "《示例工作要点》", "--article", "第1项", "--text", "示例原文", "--no-input"]


def _new(tmp_path, name, *parts):
    out = tmp_path / f"{name}.yaml"
    result = run_cli("rule", "new", *parts, *HEAD_PARTS, "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_cli("validate", str(out)).returncode == 0
    tested = run_cli("test", str(out))
    assert tested.returncode == 0 and tested.stdout.strip().endswith("2 passed, 0 failed")
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))["rules"][0], result.stdout


def _breaks(out, old, new):
    """The cases fail when the rule is changed."""
    out.write_text(out.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return run_cli("test", str(out)).returncode == 1


def test_an_order_rule_with_one_case_in_order_and_one_out_of_order(tmp_path):
    """先审查、后公开 (上海 2024 要点（十二）): the review an hour before the publication is in order; the
    publication an hour before the review is out of order."""
    out, rule, _ = _new(
        tmp_path,
        "order",
        *("--kind", "order", "--id", "demo.review", "--title", "先审查、后公开"),
        *("--first", "document.reviewed", "--then", "文件公开发布", "--example-start", "2024-10-08 10:00"),
    )
    assert (rule["kind"], rule["first"], rule["then"]) == ("order", "document.reviewed", "document.published")
    in_order, reversed_ = rule["tests"]
    assert [e["time"] for e in in_order["events"]] == ["2024-10-08T10:00", "2024-10-08T11:00"]
    assert reversed_["expect"] == [{"subject": "S2", "status": "out_of_order"}]
    assert _breaks(out, "then: document.published", "then: interpretation.published")


def test_a_recurrence_rule_counts_its_interval_with_the_calendar(tmp_path):
    """Opened Fri 2024-09-27, at most 7 days between events: 09-27 + 7日 = 10-04, a National Day holiday
    (10-01..10-07, 国办发明电〔2023〕7号), so the interval ends 10-08 24:00 (民法典第二百零三条): an event 10-08
    23:00 is on time, one 10-09 09:00 late. With 12 days (10-09) the late case would be on time."""
    out, rule, said = _new(
        tmp_path,
        "recurrence",
        *("--kind", "recurrence", "--id", "demo.keep", "--title", "处置期间每7日至少发布一次"),
        *(
            "--open",
            "突发事件发生",
            "--close",
            "incident.closed",
            "--event",
            "info.released",
            "--every",
            "7日",
        ),
        *("--example-start", "2024-09-27 08:00"),
    )
    assert (rule["open"], rule["close"], rule["every"]) == ("incident.occurred", "incident.closed", "7d")
    on_time, late = rule["tests"]
    assert on_time["events"][1]["time"] == "2024-10-08T23:00" and on_time["expect"] == []
    assert late["events"][1]["time"] == "2024-10-09T09:00"
    assert late["expect"] == [{"subject": "S1", "status": "late", "deadline": "2024-10-08 24:00"}]
    assert "示例截止 2024-10-08 24:00" in said
    assert _breaks(out, "every: 7d", "every: 12d")


def test_a_ratio_rule_with_just_enough_and_one_fewer(tmp_path):
    """80% of ten is eight (met) and seven is below; 12.5% of ten needs two (exact fractions: one is 10%)."""
    out, rule, _ = _new(
        tmp_path,
        "ratio",
        *("--kind", "ratio", "--id", "demo.valid", "--title", "现行有效文件占比不低于80%"),
        *("--event", "文件公开发布", "--where", "有效性=有效", "--at-least", "80", "--by", "2018/6/30"),
        *("--body", "江苏省司法厅", "--example-start", "2018-02-01"),
    )
    assert (rule["where"], rule["at_least"], str(rule["by"])) == ({"有效性": "有效"}, "80%", "2018-06-30")
    met, below = rule["tests"]
    assert sum("有效性" in e for e in met["events"]) == 8 and sum("有效性" in e for e in below["events"]) == 7
    assert below["expect"] == [
        {"subject": "江苏省司法厅/2018-06-30", "status": "below_ratio", "deadline": "2018-06-30 24:00"}
    ]
    assert _breaks(out, "at_least: 80%", "at_least: 90%")
    _, small, _ = _new(
        tmp_path,
        "small",
        *("--kind", "ratio", "--id", "demo.small", "--title", "t", "--event", "文件公开发布"),
        *(
            "--where",
            "有效性=有效",
            "--at-least",
            "12.5%",
            "--by",
            "2018-06-30",
            "--example-start",
            "2018-02-01",
        ),
    )
    assert [sum("有效性" in e for e in case["events"]) for case in small["tests"]] == [2, 1]


def test_a_new_kinds_bad_parts_are_refused_with_the_fix(tmp_path):
    out = tmp_path / "bad.yaml"
    parts = [
        "--kind",
        "ratio",
        "--id",
        "demo.x",
        "--title",
        "t",
        "--event",
        "文件公开发布",
        "--by",
        "2018-06-30",
    ]
    result = run_cli(
        "rule", "new", *parts, *HEAD_PARTS, "--where", "有效性", "--at-least", "80%", "-o", str(out)
    )
    assert result.returncode == 2 and "应写如 网上办=是" in result.stderr and not out.exists()
    result = run_cli("rule", "new", *parts, *HEAD_PARTS, "--where", "有效性=有效", "-o", str(out))
    assert result.returncode == 2 and "缺少 --at-least" in result.stderr
    order = [
        "--kind",
        "order",
        "--id",
        "demo.o",
        "--title",
        "t",
        "--first",
        "文件保密审查x",
        "--then",
        "文件公开发布",
    ]
    result = run_cli("rule", "new", *order, *HEAD_PARTS, "-o", str(out))
    assert result.returncode == 2 and "未知的事件类型" in result.stderr
