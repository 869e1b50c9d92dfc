"""The bundled packs: valid, every rule tested, and every pack's cases pass through `shixian test`."""

import yaml
from conftest import ROOT, run_cli

from engine.ruleset.loader import load_rules
from engine.ruletest import run_tests

RULES = ROOT / "rules"


def _tested_ids() -> set[str]:
    ids = set()
    for path in RULES.rglob("*.test.yaml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            ids.update(case.get("rules") or [])
    return ids


def test_every_rule_has_test_cases():
    ruleset = load_rules([RULES])
    untested = sorted({r.id for r in ruleset.rules if not r.rule.tests} - _tested_ids())
    assert untested == []


def test_every_local_pack_is_scoped_to_its_body():
    for loaded in load_rules([RULES]).rules:
        if loaded.pack.startswith("national"):
            continue
        body = loaded.rule.applies_to.get("body") or getattr(loaded.rule, "body", None)
        assert body, loaded.id
        assert loaded.rule.effective.from_ and loaded.rule.effective.to, loaded.id


def test_shixian_test_passes_on_the_bundled_packs():
    result = run_cli("test", str(RULES))
    assert result.returncode == 0, result.stdout
    passed, failed = result.stdout.strip().splitlines()[-1].split(", ")
    assert failed == "0 failed" and int(passed.split()[0]) >= 50


def test_the_packs_cases_pass_through_the_pipeline_in_process():
    results = run_tests([RULES])
    assert [(r.where, r.name, r.problems) for r in results if not r.passed] == []
    assert len(results) >= 50


def test_shixian_test_reports_a_failing_case(tmp_path):
    broken = tmp_path / "r.yaml"
    broken.write_text(
        """\
pack: t
rules:
  - id: x
    kind: deadline
    title: 3个工作日
    source: {document: d, article: a, text: t}
    trigger: document.published
    fulfil: interpretation.published
    within: 3wd
    tests:
      - name: 故意写错的期限
        as_of: 2024-10-31
        events:
          - {type: document.published, subject: D, time: "2024-09-27T10:00", body: b}
        expect:
          - {subject: D, status: overdue, deadline: 2024-10-02}
""",
        encoding="utf-8",
    )
    result = run_cli("test", str(broken))
    assert result.returncode == 1
    assert "FAIL" in result.stdout and "故意写错的期限" in result.stdout
    # which expectation failed, expected vs actual in the rule's words, and how the actual deadline was counted
    assert "应得结论第 1 条没有得到" in result.stdout
    assert (
        "状态 应为 已逾期未完成（overdue），实际 逾期完成（late）" not in result.stdout
    )  # still overdue: no status line
    assert "截止 应为 2024-10-02，实际 2024-10-08" in result.stdout
    assert "2024-09-29 周日，国庆节调休上班 → 第1个工作日" in result.stdout
    assert "2024-10-08 周二，工作日 → 第3个工作日" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"
