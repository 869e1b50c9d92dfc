"""Completion phrases of work plans (完成时间/完成时限): every common form read whole, never a wrong date.

Dates hand-checked against the Gregorian calendar (2024 is a leap year: 2月底 = 02-29). The forms are
those found in published 政务公开工作要点 (seeds 000-004) and their usual variants.
"""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.planimport import import_plan
from engine.planphrase import read

D = dt.date


@pytest.mark.parametrize(
    "phrase, due",
    [
        # explicit days: "11月15日前" used to be read as 11-30, "6月1日前" as 06-30
        ("11月15日前", D(2024, 11, 15)),
        ("6月1日前", D(2024, 6, 1)),
        ("6月1日", D(2024, 6, 1)),
        ("十一月十五日前", D(2024, 11, 15)),
        ("9月30号前完成", D(2024, 9, 30)),
        ("2月29日前", D(2024, 2, 29)),
        # year-qualified forms
        ("2024年9月底前", D(2024, 9, 30)),
        ("2025年3月31日前", D(2025, 3, 31)),
        ("2025年一季度", D(2025, 3, 31)),
        ("2018年底前", D(2018, 12, 31)),
        ("2024年内", D(2024, 12, 31)),
        # quarters and halves
        ("一季度", D(2024, 3, 31)),
        ("第一季度", D(2024, 3, 31)),
        ("二季度末", D(2024, 6, 30)),
        ("第三季度", D(2024, 9, 30)),
        ("三季度末", D(2024, 9, 30)),
        ("三季度末前", D(2024, 9, 30)),
        ("4季度", D(2024, 12, 31)),
        ("上半年", D(2024, 6, 30)),
        ("下半年", D(2024, 12, 31)),
        ("上半年完成", D(2024, 6, 30)),
        # parts of a month (上旬 1-10, 中旬 11-20, 下旬 21-end)
        ("3月上旬", D(2024, 3, 10)),
        ("3月中旬前", D(2024, 3, 20)),
        ("2月下旬", D(2024, 2, 29)),
        ("5月底前", D(2024, 5, 31)),
        ("5月末", D(2024, 5, 31)),
        ("十二月", D(2024, 12, 31)),
        # "N月份前" = before that month
        ("6月份前", D(2024, 5, 31)),
        ("1月份前", D(2023, 12, 31)),
        # the whole year
        ("年底", D(2024, 12, 31)),
        ("年底前", D(2024, 12, 31)),
        ("年内", D(2024, 12, 31)),
        ("全年", D(2024, 12, 31)),
        ("年末", D(2024, 12, 31)),
        # a date followed by what is to be done (seed 004 item 13)
        ("4月份出台监测标准", D(2024, 4, 30)),
        # no fixed date
        ("按期", None),
        ("定期", None),
        ("长期坚持", None),
        ("常态化", None),
        ("持续推进", None),
    ],
)
def test_read(phrase, due):
    reading = read(phrase, 2024)
    assert (reading.due, reading.understood) == (due, True), reading.why


@pytest.mark.parametrize(
    "phrase, why",
    [
        ("6月前", "有两种理解"),  # before June, or by the end of June: not guessed
        ("尽快", "无法解读"),
        ("每月", "周期性"),
        ("每季度更新", "周期性"),
        ("2月30日", "没有30日"),
        ("2023年2月29日前", "没有29日"),
        ("13月", "没有 13 月"),
        ("11月15日前后", "无法解读"),
        ("3月中旬至4月", "无法解读"),
        ("一季度和二季度", "无法解读"),
        ("6月底前完成6项", "无法解读"),
        ("", "为空"),
    ],
)
def test_not_read_and_why(phrase, why):
    reading = read(phrase, 2024)
    assert not reading.understood and reading.due is None
    assert why in reading.why


def test_unread_phrase_is_listed_with_its_line():
    text = "1、做好甲工作。(责任部门:办公室  完成时限:11月15日前)\n2、做好乙工作。(责任部门:办公室  完成时限:6月前)\n"
    result = import_plan(text, 2024, "X")
    assert [t.due for t in result.tasks] == [D(2024, 11, 15), None]
    assert [(u["item"], u["line"], u["phrase"]) for u in result.unread] == [("2", 2, "6月前")]


# -- properties: a phrase is read whole or reported, never partly -------------------------------------------

CN = "〇一二三四五六七八九十"


def chinese(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


@st.composite
def phrases(draw):
    """A phrase in one of the documented forms, and the date it means (in a plan for 2024)."""
    year = draw(st.sampled_from([None, 2023, 2024, 2025]))
    y = year or 2024
    numeral = draw(st.sampled_from([str, chinese]))
    by = draw(st.sampled_from(["", "前", "以前", "之前", "完成", "前完成"]))
    form = draw(st.sampled_from(["day", "month", "part", "quarter", "half"]))
    month = draw(st.integers(1, 12))
    last = (dt.date(y + (month == 12), month % 12 + 1, 1) - dt.date(y, month, 1)).days
    if form == "day":
        day = draw(st.integers(1, last))
        text, due = f"{numeral(month)}月{numeral(day)}日{by}", dt.date(y, month, day)
    elif form == "month":
        part = draw(st.sampled_from(["底", "末"] + (["份"] if by in ("", "完成") else [])))  # 份前 = before
        text, due = f"{numeral(month)}月{part}{by}", dt.date(y, month, last)
    elif form == "part":
        part, day = draw(st.sampled_from([("上旬", 10), ("中旬", 20), ("下旬", last)]))
        text, due = f"{numeral(month)}月{part}{by}", dt.date(y, month, day)
    elif form == "quarter":
        q = draw(st.integers(1, 4))
        end = dt.date(y + (q == 4), (q * 3) % 12 + 1, 1) - dt.date(y, q * 3, 1)
        text = f"{draw(st.sampled_from(['', '第']))}{chinese(q)}季度{draw(st.sampled_from(['', '末']))}{by}"
        due = dt.date(y, q * 3, end.days)
    else:
        half = draw(st.sampled_from(["上", "下"]))
        text, due = f"{half}半年{by}", dt.date(y, 6, 30) if half == "上" else dt.date(y, 12, 31)
    return (f"{year}年" if year else "") + text, due


@settings(max_examples=400, derandomize=True)
@given(phrases())
def test_every_documented_form_is_read_to_its_date(case):
    text, due = case
    reading = read(text, 2024)
    assert (reading.due, reading.understood) == (due, True), text


@settings(max_examples=400, derandomize=True)
@given(phrases(), phrases())
def test_two_dates_in_one_phrase_are_never_read(first, second):
    """Whatever the first phrase means, a second date after it must not be dropped silently."""
    reading = read(first[0] + second[0], 2024)
    assert not reading.understood and reading.due is None


TOKENS = [
    "1",
    "5",
    "11",
    "15",
    "30",
    "一",
    "十",
    "年",
    "月",
    "日",
    "号",
    "前",
    "底",
    "末",
    "份",
    "上旬",
    "中旬",
    "下旬",
    "季度",
    "第",
    "上半年",
    "全年",
    "年内",
    "按期",
    "完成",
    "工作",
    "至",
    "和",
    "每",
    " ",
    "。",
]


@settings(max_examples=1500, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), max_size=8).map("".join) | st.text(max_size=12))
def test_any_text_is_read_or_reported(text):
    reading = read(text, 2024)
    assert reading.understood or (reading.due is None and reading.why)
    if reading.due is not None:
        assert 1900 <= reading.due.year <= 2100
