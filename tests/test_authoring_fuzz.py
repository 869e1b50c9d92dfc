"""Random single-character edits of the bundled packs: each gives a valid pack or located errors, never a
traceback, and a pack that loads means what its text literally says (no unit or date read differently)."""

import re

import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.ruleset.loader import RuleLoadError, load_rules

PACKS = sorted(
    p
    for p in (ROOT / "rules").rglob("*.yaml")
    if p.name != "event-types.yaml" and not p.name.endswith(".test.yaml")
)
TEXTS = {p: p.read_text(encoding="utf-8") for p in PACKS}
ALPHABET = list("0123456789dwhmyDW日天月周年小时个工作:- {}[],'\"#\n\t/.年月日") + ["", "  "]
# the reading of each unit, written here independently of engine.calendar.period
UNIT_READING = {
    "d": "d",
    "日": "d",
    "天": "d",
    "自然日": "d",
    "个自然日": "d",
    "wd": "wd",
    "工作日": "wd",
    "个工作日": "wd",
    "h": "h",
    "小时": "h",
    "个小时": "h",
    "个钟头": "h",
    "m": "m",
    "个月": "m",
    "y": "y",
    "年": "y",
}
PERIOD_KEYS = ("within", "at_least", "warn_within")


@st.composite
def edits(draw):
    path = draw(st.sampled_from(PACKS))
    text = TEXTS[path]
    at = draw(st.integers(0, len(text) - 1))
    # mostly near a period, a date or an event type, where a slip changes meaning
    spots = [m.start() for m in re.finditer(r"\d+(wd|d|h|m|y)\b|\d{4}-\d\d-\d\d|[a-z_]+\.[a-z_]+", text)]
    if spots and draw(st.booleans()):
        at = min(len(text) - 1, draw(st.sampled_from(spots)) + draw(st.integers(0, 6)))
    how = draw(st.sampled_from(["replace", "insert", "delete"]))
    char = draw(st.sampled_from(ALPHABET))
    new = text[:at] + (char if how != "delete" else "") + text[at + (0 if how == "insert" else 1) :]
    return path, new


def literal_period(raw: str) -> tuple[int, str] | None:
    match = re.fullmatch(r"\s*(\d+)\s*(\D+?)\s*", raw.replace("\u3000", " "))
    if not match or match.group(2) not in UNIT_READING:
        return None
    return int(match.group(1)), UNIT_READING[match.group(2)]


@given(edits())
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_single_character_edit_is_valid_or_a_located_error(tmp_path, edit):
    original, text = edit
    path = tmp_path / original.name
    path.write_text(text, encoding="utf-8")
    try:
        ruleset = load_rules([path])
    except RuleLoadError as exc:
        for error in exc.errors:
            assert error.path == str(path) and error.line is not None, str(error)
            assert error.message and not error.message.startswith("Input should"), str(
                error
            )  # no raw pydantic
        return
    # it loaded: every period is what the text literally says
    # plain strings, no typing: the text as written, scanned as the rule loader scans it (libyaml when present)
    raw = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    for loaded, raw_rule in zip(ruleset.rules, raw["rules"]):
        for key in PERIOD_KEYS:  # (a count's at_least is a number, a ratio's a percentage: not periods)
            if key in raw_rule and isinstance(getattr(loaded.rule, key), str) and loaded.rule.kind != "ratio":
                amount, unit = literal_period(raw_rule[key]) or (None, None)
                assert amount is not None, f"{raw_rule[key]!r} was accepted as {getattr(loaded.rule, key)!r}"
                assert getattr(loaded.rule, key) == f"{amount}{unit}", raw_rule[key]
        effective = raw_rule.get("effective")
        if isinstance(effective, dict):
            for key, attr in (("from", "from_"), ("to", "to")):
                if isinstance(effective.get(key), str) and effective[key] not in ("~", "null", ""):
                    digits = [int(d) for d in re.findall(r"\d+", effective[key])]
                    day = getattr(loaded.rule.effective, attr)
                    assert digits == [day.year, day.month, day.day], effective[key]


def test_the_fuzzed_packs_are_valid_as_bundled():
    for path in PACKS:
        load_rules([path])
