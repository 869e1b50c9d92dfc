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
