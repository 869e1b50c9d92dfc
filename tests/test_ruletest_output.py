"""`shixian test` says which expectation failed, expected against actual in the rule's words, and how the
actual deadline was counted; `--format junit` gives the same for CI."""

import textwrap

from conftest import run_cli
from junitparser import JUnitXml

# Interpretation within 3 working days of publication (seeds 002 item 4, 004 item 11).
# 2025 National Day: 10-01..10-08 off, 09-28 (Sun) and 10-11 (Sat) working (国办发明电〔2024〕12号).
# Published Fri 2025-09-26: working days 09-28, 09-29, 09-30 -> last day 2025-09-30.
PACK = textwrap.dedent("""\
    pack: t
    rules:
      - id: interp-3wd
        kind: deadline
        title: 政策文件公开后3个工作日内发布解读
        source: {document: d, article: a, text: t}
        trigger: document.published
        fulfil: interpretation.published
        within: 3个工作日
        tests:
          - name: 最后一日09-30发布，按期
            as_of: 2025-12-31
            defaults: {body: 示例市司法局}
            events:
              - {type: document.published, subject: D1, time: "2025-09-26T10:00"}
              - {type: interpretation.published, subject: D1, time: "2025-09-30T17:00"}
            expect: []
          - name: 作者以为是10-09（漏算09-28调休上班），次日10-09发布算按期
            as_of: 2025-12-31
            defaults: {body: 示例市司法局}
            events:
              - {type: document.published, subject: D2, time: "2025-09-26T10:00"}
              - {type: interpretation.published, subject: D2, time: "2025-10-09T09:00"}
            expect: []
    """)


def test_failing_case_names_expected_and_actual_in_the_rules_words(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        PACK.replace("expect: []\n", "expect: [{subject: D2, status: late, deadline: 2025-10-09}]\n").replace(
            "expect: [{subject: D2, status: late, deadline: 2025-10-09}]\n", "expect: []\n", 1
        ),
        encoding="utf-8",
    )
    result = run_cli("test", str(path))
    assert result.returncode == 1
    out = result.stdout
    assert "FAIL" in out and "作者以为是10-09" in out
    assert (
        "应得结论第 1 条没有得到 (expectation 1 not met)：主体 D2，状态 逾期完成（late），截止 2025-10-09"
        in out
    )
    assert "截止 应为 2025-10-09，实际 2025-09-30" in out
    assert "2025-09-28 周日，国庆节调休上班 → 第1个工作日" in out
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_status_difference_is_worded(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PACK, encoding="utf-8")
    result = run_cli("test", str(path))
    assert result.returncode == 1
    assert (
        "多出的结论 (unexpected finding)：规则 interp-3wd，主体 D2，状态 逾期完成（late），截止 2025-09-30 24:00"
        in result.stdout
    )


def test_junit_report(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PACK, encoding="utf-8")
    report = tmp_path / "rule-tests.xml"
    result = run_cli("test", str(path), "--format", "junit", "-o", str(report))
    assert result.returncode == 1
    xml = JUnitXml.fromfile(str(report))
    cases = [case for suite in xml for case in suite]
    assert [c.name for c in cases] == [
        "最后一日09-30发布，按期",
        "作者以为是10-09（漏算09-28调休上班），次日10-09发布算按期",
    ]
    assert cases[0].is_passed and not cases[1].is_passed
    failure = cases[1].result[0]
    assert failure.message.startswith("多出的结论") and "2025-09-28 周日，国庆节调休上班" in failure.text


def test_bad_case_stops_the_run_with_exit_2(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PACK.replace('time: "2025-09-30T17:00"', "time: 30/09/2025"), encoding="utf-8")
    result = run_cli("test", str(path))
    assert result.returncode == 2
    assert f"{path}:16:" in result.stderr and "无法确定哪个是月、哪个是日" in result.stderr


def test_an_on_time_outcome_is_named_when_a_finding_was_expected(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        PACK.replace("expect: []\n", "expect: [{subject: D1, status: late, deadline: 2025-10-09}]\n", 1),
        encoding="utf-8",
    )
    out = run_cli("test", str(path)).stdout
    assert (
        "状态 应为 逾期完成（late），实际 按期完成（on_time）；截止 应为 2025-10-09，实际 2025-09-30" in out
    )
