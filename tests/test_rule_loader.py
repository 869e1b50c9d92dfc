"""Broken rule files: each error names the file, the line and the field, and says what was expected."""

from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import ShixianError
from engine.ruleset.loader import RuleLoadError, load_rules

BROKEN = Path(__file__).parent / "broken_rules"

CASES = [  # file, line, field, words the message must contain
    ("misspelt_key.yaml", 9, "withn", "未知的键 'withn'。是否要写 'within'（期限）？"),
    ("unknown_unit.yaml", 9, "within", "期限写法不对：'7weeks'。是否要写 '49d'？"),
    ("unknown_event_type.yaml", 8, "fulfil", "是否要写 'document.published'（文件公开发布）？"),
    ("pause_without_resume.yaml", 11, "pause", "中止计时缺少恢复事件"),
    ("overlapping_effective.yaml", 15, "effective", "施行期间与"),
    ("unknown_kind.yaml", 4, "kind", "未知的规则种类 'deadlin'。是否要写 'deadline'（期限）？"),
    ("missing_source.yaml", 3, "source", "缺少必填的键 'source'（出处）"),
    ("bad_applies_to.yaml", 8, "body", "应写一个运算：not、in、exists"),
    ("bad_yaml.yaml", 5, None, "YAML 格式错误"),
    ("bad_date.yaml", 7, "from", "日期 '2019-02-30' 不存在"),
    ("duplicate_key.yaml", 6, "title", "键 'title' 重复出现"),
    ("bad_closing.yaml", 10, "roll", "这里应写true 或 false，而不是 'maybe'"),
]


@pytest.mark.parametrize("name, line, field, words", CASES)
def test_broken_rule_file_is_reported_precisely(name, line, field, words):
    path = BROKEN / name
    with pytest.raises(RuleLoadError) as err:
        load_rules([path])
    first = err.value.errors[0]
    assert (first.path, first.line, first.field) == (str(path), line, field), str(first)
    assert words in str(first)


def test_every_broken_file_is_covered():
    assert {p.name for p in BROKEN.glob("*.yaml")} == {c[0] for c in CASES}


def test_validate_lists_every_error_and_exits_2():
    result = run_cli("validate", str(BROKEN))
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} 处错误 ({len(lines) - 1} errors)" and len(lines) - 1 >= len(CASES)
    for name, line, _, _ in CASES:
        assert any(out.startswith(f"{BROKEN / name}:{line}:") for out in lines), name
    assert any(line.startswith(f"{BROKEN / 'misspelt_key.yaml'}:9:5: 字段 'withn'：") for line in lines)


def test_validate_bundled_rules_is_clean():
    result = run_cli("validate", str(ROOT / "rules"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok: ")


def test_published_schema_is_current():
    # docs/rule-schema.json is generated from the model: `shixian schema > docs/rule-schema.json`
    result = run_cli("schema")
    assert result.stdout == (ROOT / "docs" / "rule-schema.json").read_text(encoding="utf-8")


TOKENS = list("abc:-[]{}, \n'\"#&*!|>%@`0123456789.") + [
    "kind: ",
    "rules:\n",
    "  - ",
    "id: ",
    "deadline",
    "within: ",
    "7d",
    "pack: t\n",
    "\t",
    "é",
    "时",
    "source: ",
    "trigger: ",
    "document.issued",
    "2024-02-30",
    "on: ",
    "pause:",
    "true",
    "~",
    "&a ",
    "*a",
]
yaml_text = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@given(yaml_text)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_yaml_gives_a_result_or_a_clear_error(tmp_path, text):
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_rules([path])
    except RuleLoadError as exc:
        assert exc.errors and all(e.path == str(path) for e in exc.errors)
    except ShixianError:
        pass
