"""Errors a compliance officer meets while writing rules: each in Chinese, at its file:line:column, saying what
to write instead; the officer's own forms with one reading (20日, 3个工作日, 2025/01/01) accepted as meant."""

import datetime as dt
import json
import textwrap

import pytest
from conftest import run_cli

from engine.ruleset.loader import RuleLoadError, load_rules

HEAD = """\
pack: t
rules:
  - id: r1
    kind: deadline
    title: 行政规范性文件应在印发之日起20日内报送备案
    source: {document: d, article: a, text: t}
"""


def write(tmp_path, body: str, name: str = "r.yaml"):
    path = tmp_path / name
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "    "), encoding="utf-8")
    return path


def at(path, error) -> str:
    """The text of the file from the error's line and column on."""
    return path.read_text(encoding="utf-8").splitlines()[error.line - 1][error.column - 1 :]


def first_error(path):
    with pytest.raises(RuleLoadError) as err:
        load_rules([path])
    return err.value.errors[0]


DEADLINE = "trigger: document.issued\nfulfil: normative.submitted\n"

# (body after the common head, line, column, field, code, words of the message, suggestion)
ERRORS = [
    (
        DEADLINE + "within: 20w\n",
        9,
        5,
        "within",
        "bad-period",
        "期限写法不对：'20w'。是否要写 '140d'？",
        "140d",
    ),
    (DEADLINE + "within: 3月\n", 9, 5, "within", "bad-period", "是否要写 '3m'？", "3m"),
    (DEADLINE + "within: 20日内\n", 9, 5, "within", "bad-period", "是否要写 '20d'？", "20d"),
    (
        DEADLINE + "within: 20\n",
        9,
        5,
        "within",
        "bad-period",
        "期限 20 缺少单位：是 20d（日）还是 20wd（工作日）？",
        None,
    ),
    (
        "trigger: 文件印发\nfulfil: normative.submitted\nwithin: 20d\n",
        7,
        5,
        "trigger",
        "unknown-event-type",
        "未知的事件类型 '文件印发'。是否要写 'document.issued'（文件印发）？",
        "document.issued",
    ),
    (
        "trigger: 规范性文件报送\nfulfil: normative.submitted\nwithin: 20d\n",
        7,
        5,
        "trigger",
        "unknown-event-type",
        "是否要写 'normative.submitted'（规范性文件报送）？",
        "normative.submitted",
    ),
    (
        "trigger: document.isued\nfulfil: normative.submitted\nwithin: 20d\n",
        7,
        5,
        "trigger",
        "unknown-event-type",
        "是否要写 'document.issued'（文件印发）？",
        "document.issued",
    ),
    (
        DEADLINE + "within: 20d\neffective: {from: 0}\n",
        10,
        17,
        "from",
        "bad-type",
        "这里应写日期（年-月-日，如 2025-01-01），而不是 0",
        None,
    ),
    (
        DEADLINE + "within: 20d\neffective: {from: 01/02/2025}\n",
        10,
        17,
        "from",
        "bad-date",
        "日期 '01/02/2025' 无法确定哪个是月、哪个是日，请写成年-月-日",
        None,
    ),
    (
        DEADLINE + "within: 20d\neffective: {from: 2025/02/30}\n",
        10,
        17,
        "from",
        "bad-date",
        "日期 '2025/02/30' 不存在（2025年没有2月30日）",
        None,
    ),
    (
        DEADLINE + "within: 20d\neffective: {from: 2025-01-01 10:00}\n",
        10,
        17,
        "from",
        "bad-date",
        "这里只要日期，不要时间",
        None,
    ),
    (
        DEADLINE + "within: 20d\ncounting: {roll: 1}\n",
        10,
        16,
        "roll",
        "bad-type",
        "这里应写true 或 false，而不是 1",
        None,
    ),
    (
        DEADLINE + "within: 20d\ncounting: {start: next_working}\n",
        10,
        16,
        "start",
        "bad-value",
        "'next_working' 不是可选的值，可选：strict、next-working。是否要写 'next-working'？",
        "next-working",
    ),
    (
        DEADLINE + "within: 20d\nseverity: eror\n",
        10,
        5,
        "severity",
        "bad-value",
        "是否要写 'error'？",
        "error",
    ),
    (
        DEADLINE + "withn: 20d\n",
        9,
        5,
        "withn",
        "unknown-key",
        "未知的键 'withn'。是否要写 'within'（期限）？",
        "within",
    ),
    (
        DEADLINE + "期限: 20d\n",
        9,
        5,
        "期限",
        "unknown-key",
        "未知的键 '期限'。是否要写 'within'（期限）？",
        "within",
    ),
    (
        DEADLINE + "within: 20d\nextend: {on: extension.approved, max: 20wd, times: '1'}\n",
        10,
        None,
        "times",
        "bad-type",
        "这里应写整数（不加引号，如 4），而不是 '1'",
        None,
    ),
]


@pytest.mark.parametrize(
    "body, line, column, field, code, words, suggestion",
    ERRORS,
    ids=[e[4] + ":" + e[0].splitlines()[-1] for e in ERRORS],
)
def test_rule_error_is_located_chinese_and_says_how_to_fix(
    tmp_path, body, line, column, field, code, words, suggestion
):
    path = write(tmp_path, body)
    error = first_error(path)
    assert (error.line, error.field, error.code) == (line, field, code), str(error)
    assert at(path, error).startswith(field)  # the column points at the key
    assert column is None or error.column == column
    assert words in error.message, error.message
    assert error.suggestion == suggestion
    assert str(error).startswith(f"{path}:{line}:{error.column}: 字段 '{field}'：规则 'r1'：")


@pytest.mark.parametrize(
    "written, meant",
    [
        ("20日", "20d"),
        ("20天", "20d"),
        ("3个工作日", "3wd"),
        ("3工作日", "3wd"),
        ("5小时", "5h"),
        ("1个月", "1m"),
        ("1年", "1y"),
        ("２０日", "20d"),
        ("20 日", "20d"),
        ("20d", "20d"),
        ("3wd", "3wd"),
    ],
)
def test_chinese_units_are_read_as_meant(tmp_path, written, meant):
    path = write(tmp_path, DEADLINE + f"within: {written}\n")
    rule = load_rules([path]).rules[0].rule
    assert rule.within == meant


@pytest.mark.parametrize("written", ["2025/01/01", "2025/1/1", "2025.1.1", "2025年1月1日", "2025-01-01"])
def test_officer_dates_are_accepted_when_unambiguous(tmp_path, written):
    path = write(tmp_path, DEADLINE + f"within: 20d\neffective: {{from: {written}}}\n")
    assert load_rules([path]).rules[0].rule.effective.from_ == dt.date(2025, 1, 1)


CASE = (
    DEADLINE
    + """\
within: 20d
tests:
  - name: 印发后第20日报送
    as_of: 2025-12-31
    defaults: {body: 示例市司法局}
    events:
      - {type: document.issued, subject: D1, time: "2025-09-01T10:00"}
      - {type: normative.submitted, subject: D1, time: "2025-09-21T10:00"}
    expect: []
"""
)

# (a replacement in CASE, line, column, field, code, words, suggestion)
CASE_ERRORS = [
    (
        'time: "2025-09-01T10:00"',
        'time: "01/09/2025"',
        15,
        None,
        "time",
        "bad-date",
        "日期 '01/09/2025' 无法确定哪个是月、哪个是日",
        None,
    ),
    (
        'time: "2025-09-01T10:00"',
        "time: 2025年9月31日",
        15,
        None,
        "time",
        "bad-date",
        "2025年没有9月31日",
        None,
    ),
    (
        "expect: []",
        "expect: [{subject: D1, status: 已逾期}]",
        17,
        None,
        "status",
        "unknown-status",
        "未知的状态 '已逾期'。是否要写 'overdue'（已逾期未完成）？(did you mean 'overdue'?) 状态要写英文代码：late（逾期完成）、overdue",
        "overdue",
    ),
    (
        "expect: []",
        "expect: [{subject: D1, status: 逾期完成}]",
        17,
        None,
        "status",
        "unknown-status",
        "是否要写 'late'（逾期完成）？",
        "late",
    ),
    (
        "expect: []",
        "expect: [{subject: D1, deadlin: 2025-09-22}]",
        17,
        None,
        "deadlin",
        "unknown-key",
        "应得结论中没有键 'deadlin'。是否要写 'deadline'（截止）？",
        "deadline",
    ),
    (
        "expect: []",
        "expect: [{subject: D1, deadline: 2025/9/31}]",
        17,
        None,
        "deadline",
        "bad-date",
        "截止写法不对",
        None,
    ),
    (
        "expect: []",
        "expect: [{rule: R1, status: late}]",
        17,
        None,
        "rule",
        "unknown-rule",
        "没有编号为 'R1' 的规则。是否要写 'r1'？",
        "r1",
    ),
    (
        "expect: []",
        "expect: [{overdue_by: 1weeks}]",
        17,
        None,
        "overdue_by",
        "bad-period",
        "是否要写 '7d'？",
        "7d",
    ),
    (
        "type: normative.submitted",
        "type: 规范性文件报送",
        16,
        None,
        "type",
        "unknown-event-type",
        "是否要写 'normative.submitted'（规范性文件报送）？",
        "normative.submitted",
    ),
    ("as_of: 2025-12-31", "as_of: 2025年13月1日", 12, 9, "as_of", "bad-date", "2025年没有13月1日", None),
]


@pytest.mark.parametrize(
    "old, new, line, column, field, code, words, suggestion", CASE_ERRORS, ids=[e[1] for e in CASE_ERRORS]
)
def test_test_case_is_validated_as_strictly_as_a_rule(
    tmp_path, old, new, line, column, field, code, words, suggestion
):
    assert old in CASE
    path = write(tmp_path, CASE.replace(old, new, 1))
    error = first_error(path)
    assert (error.line, error.field, error.code) == (line, field, code), str(error)
    assert at(path, error).startswith(field)  # the column points at the key
    assert column is None or error.column == column
    assert words in error.message, error.message
    assert error.suggestion == suggestion
    assert "用例 '印发后第20日报送'" in error.message
    result = run_cli("validate", str(path))  # and `validate` says so, exit 2
    assert result.returncode == 2 and f"{path}:{line}:{error.column}:" in result.stdout


def test_officer_typed_times_in_a_case_are_read_as_meant(tmp_path):
    # 2025-09-01 + 20日 = 09-21, a Sunday: rolls to Mon 09-22 (民法典第二百零三条). Submitted 09-22 is on time;
    # the same case with the submission typed on 09-23 as 2025年9月23日 is late by one day.
    on_time = write(tmp_path, CASE.replace('"2025-09-21T10:00"', "2025/9/22 10:00"), "a.yaml")
    assert run_cli("test", str(on_time)).returncode == 0
    late = write(
        tmp_path,
        CASE.replace('"2025-09-21T10:00"', "2025年9月23日").replace(
            "expect: []", "expect: [{subject: D1, status: late, deadline: 2025-09-22, overdue_by: 1d}]"
        ),
        "b.yaml",
    )
    result = run_cli("test", str(late))
    assert result.returncode == 0, result.stdout


def test_test_file_rule_ids_are_checked(tmp_path):
    write(tmp_path, CASE)
    (tmp_path / "r.test.yaml").write_text(
        textwrap.dedent("""\
        cases:
          - name: 只看 r1
            rules: [r11]
            as_of: 2025-12-31
            events: [{type: document.issued, subject: D1, time: "2025-09-01", body: b}]
        """),
        encoding="utf-8",
    )
    result = run_cli("validate", str(tmp_path), "--format", "json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    (error,) = report["errors"]
    assert error == {
        "file": str(tmp_path / "r.test.yaml"),
        "line": 3,
        "column": 5,
        "code": "unknown-rule",
        "severity": "error",
        "field": "rules",
        "suggestion": "r1",
        "message": "用例 '只看 r1'：没有编号为 'r11' 的规则。是否要写 'r1'？(did you mean 'r1'?) (unknown rule id)",
    }


def test_similar_body_names_are_a_warning(tmp_path):
    path = write(tmp_path, DEADLINE + "within: 20d\napplies_to: {body: 江苏省司法局}\n")
    other = tmp_path / "s.yaml"
    other.write_text(
        HEAD.replace("r1", "r2")
        + "    kind_unused: 0\n" * 0
        + textwrap.indent(
            DEADLINE
            + "within: 20d\napplies_to: {body: 江苏省司法厅}\ntests:\n  - name: x\n    as_of: 2025-12-31\n"
            "    defaults: {body: 江苏省司法厅}\n    events: []\n",
            "    ",
        ),
        encoding="utf-8",
    )
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert (
        f"{path}:10:18: 警告 (warning)：字段 'body'：机关 '江苏省司法局' 与别处写的 '江苏省司法厅' 只差一个字"
        in result.stdout
    )


def test_validate_json_of_a_clean_pack(tmp_path):
    path = write(tmp_path, CASE)
    report = json.loads(run_cli("validate", str(path), "--format", "json").stdout)
    assert report["ok"] is True and report["rules"] == 1 and report["errors"] == []


def test_an_unsaved_text_is_checked_as_its_file(tmp_path):
    # the workbench's editor checks what is typed, with the other files loaded beside it, before saving
    from engine.ruletest import run_tests, validate_paths

    path = write(tmp_path, CASE)
    text = path.read_text(encoding="utf-8")
    problems, ruleset = validate_paths([path], {str(path): text.replace("within: 20d", "within: 20x")})
    assert ruleset is None and [(p.line, p.code) for p in problems] == [(9, "bad-period")]
    assert path.read_text(encoding="utf-8") == text  # the file itself is not touched
    problems, ruleset = validate_paths([path], {str(path): text.replace("20日报送", "20日内报送")})
    assert problems == [] and ruleset.rules[0].rule.tests[0].name == "印发后第20日内报送"
    (result,) = run_tests(
        [path],
        overrides={str(path): text.replace("2025-09-21T10:00", "2025-09-23T10:00")},
        only_file=str(path),
    )
    assert not result.passed and "多出的结论" in result.problems[0]
