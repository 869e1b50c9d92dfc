"""A pre-publication check that no rule of a kind applied to says so: a typo in the body (临沂司法局) or the
document type (政策性文件) keeps the local rules away, and the plan must not pass in silence."""

import json

import pytest
from conftest import run_cli

from engine.audit import Engine

PLAN = {
    "document": {
        "subject": "LY-2021-200",
        "body": "临沂市司法局",
        "department": "法制科",
        "doc_type": "政策文件",
        "disclosure": "主动公开",
        "文号": "临司发〔2021〕200号",
        "成文日期": "2021-09-24",
        "发布日期": "2021-10-08",
        "有效性": "有效",
        "issued_at": "2021-09-24T10:00",
    },
    "publish_at": "2021-10-08T10:00",
    "interpretation_at": "2021-10-09T10:00",
}


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def with_document(**changes):
    return {**PLAN, "document": {**PLAN["document"], **changes}}


def test_known_body_and_type_pass_without_warnings(engine):
    result = engine.check(PLAN)
    assert result.verdict == "pass" and result.warnings == [] and result.to_json()["warnings"] == []


def test_a_misspelt_body_is_named_with_the_closest_known_ones(engine):
    result = engine.check(with_document(body="临沂司法局"))
    assert result.verdict == "warn"
    # the interpretation rules (linyi-2021.interpretation-3wd) name 临沂市司法局 only: none applies
    assert any("没有一条规则适用于计划中的「政策解读发布」" in w for w in result.warnings)
    assert any(
        w.startswith("机关「临沂司法局」不是规则中出现的机关") and "「临沂市司法局」" in w
        for w in result.warnings
    )


def test_an_unknown_doc_type_is_named_with_the_closest_known_ones(engine):
    result = engine.check(with_document(doc_type="政策性文件"))
    assert result.verdict == "warn"
    assert any(w.startswith("文件类型「政策性文件」") and "「政策文件」" in w for w in result.warnings)


def test_the_cli_shows_the_warnings(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(with_document(body="临沂司法局"), ensure_ascii=False), encoding="utf-8")
    table = run_cli("check", str(path))
    assert (
        table.returncode == 0
        and "verdict: warn" in table.stdout
        and "注意 (warning): 机关「临沂司法局」" in table.stdout
    )
    answer = json.loads(run_cli("check", str(path), "--format", "json").stdout)
    assert answer["verdict"] == "warn" and any("临沂市司法局" in w for w in answer["warnings"])
