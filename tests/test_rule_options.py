"""A rule's reading options (`options`) and a pack's choice of one (`choose`): the 2008 Regulation's request
rule follows its text by default (第二十四条: 15 working days from receipt; 补正 changes nothing), and a pack
that chooses `supplement-restart` reads it as the 2019 text does (第三十条: counted afresh from the
supplement). Holidays: 国办发明电〔2017〕12号 (2018): 中秋 09-24 off; 国庆 10-01..07 off, 09-29 (Sat) and 09-30
(Sun) worked."""

import pytest
from helpers import end_of, events, write_rules

from engine.calendar import load_calendar
from engine.engine import Engine
from engine.paths import bundled
from engine.ruleset.loader import RuleLoadError, load_rules

CHOOSE = "pack: 本局解读\nchoose: {{ogi.request-reply: {option}}}\nrules: []\n"

# Received Mon 2018-09-03; 补正 asked 09-05, received Thu 09-20. From receipt: 09-04..07 (4), 09-10..14 (9),
# 09-17..21 (14), 09-25 (15): due 09-25. Afresh from 09-20: 09-21 (1), 09-25..28 (5), 09-29 Sat (6), 09-30 Sun (7),
# 10-08..12 (12), 10-15..17 (15): due 10-17. A reply on 10-17 judged from receipt is late by 09-26..28, 09-29,
# 09-30, 10-08..12, 10-15..17 = 13 working days.
LOG = [
    {"type": "request.received", "subject": "R", "time": "2018-09-03T10:00"},
    {"type": "supplement.requested", "subject": "R", "time": "2018-09-05T10:00"},
    {"type": "supplement.received", "subject": "R", "time": "2018-09-20T10:00"},
]


def judged(engine, replied):
    evs = events(*LOG, {"type": "request.replied", "subject": "R", "time": replied})
    return [
        (f.rule, f.status, f.deadline_text, f.overdue_by)
        for f in engine.evaluate(evs, end_of("2018-12-31")).findings
        if f.rule == "ogi.request-reply"
    ]


def test_the_2008_rule_follows_its_text_unless_a_pack_chooses_the_restart(tmp_path):
    text = Engine(load_rules([bundled("rules")]), load_calendar())
    assert judged(text, "2018-10-17T10:00") == [("ogi.request-reply", "late", "2018-09-25 24:00", "13wd")]
    chosen = load_rules([bundled("rules"), write_rules(tmp_path, CHOOSE.format(option="supplement-restart"))])
    restart = Engine(chosen, load_calendar())
    assert judged(restart, "2018-10-17T10:00") == []
    assert judged(restart, "2018-10-18T10:00") == [("ogi.request-reply", "late", "2018-10-17 24:00", "1wd")]
    # the reading shown to users says which option was chosen; the 2019 version (no such option) is untouched
    readings = {r.rule.effective.from_.year: r.rule.reading for r in chosen.get("ogi.request-reply")}
    assert readings[2008].startswith("（选用解读：补正后重新起算）") and "选用解读" not in readings[2019]


def test_a_choice_no_rule_offers_is_a_located_error(tmp_path):
    with pytest.raises(RuleLoadError) as caught:
        load_rules([bundled("rules"), write_rules(tmp_path, CHOOSE.format(option="restart"))])
    error = caught.value.errors[0]
    assert (error.line, error.code) == (2, "unknown-option")
    assert "supplement-restart" in str(error)  # names the options there are


def test_two_packs_choosing_differently_is_an_error(tmp_path):
    first = write_rules(tmp_path, CHOOSE.format(option="supplement-restart"), "a.yaml")
    second = write_rules(
        tmp_path, CHOOSE.format(option="supplement-restart").replace("本局", "他局"), "b.yaml"
    )
    load_rules([bundled("rules"), first, second])  # the same choice twice is fine
    rule = (
        "pack: d\nrules:\n  - id: x\n    kind: deadline\n    title: t\n    source: {document: d, article: a, text: t}\n"
        "    trigger: request.received\n    fulfil: request.replied\n    within: 1wd\n    options:\n"
        "      one: {title: 一, reading: r, restart: supplement.received}\n      two: {title: 二, reading: r, pause: []}\n"
    )
    packs = [
        write_rules(tmp_path, rule, "d.yaml"),
        write_rules(tmp_path, "pack: e\nchoose: {x: one}\nrules: []\n", "e.yaml"),
        write_rules(tmp_path, "pack: f\nchoose: {x: two}\nrules: []\n", "f.yaml"),
    ]
    with pytest.raises(RuleLoadError) as caught:
        load_rules(packs)
    assert [(e.code, e.path.endswith("f.yaml")) for e in caught.value.errors] == [
        ("conflicting-option", True)
    ]
    assert load_rules(packs[:2]).get("x")[0].rule.restart == "supplement.received"
