"""Reading a work plan's completion phrase (完成时间/完成时限) into a due date, whole or not at all.

A phrase is read only if one of the readings below consumes all of it (an action clause after the date,
as in "4月份出台监测标准", may follow if it holds no digit and no date word); anything else is returned
unread with the reason, so "11月15日前" can never be read as "11月" and a wrong day. The readings are
stated once, in READING, and shown in every output that carries an imported date.
"""

from __future__ import annotations

import calendar as month_days
import datetime as dt
import re
from dataclasses import dataclass

READING = (
    "完成时限读法：“N月N日（前）”=该日；“N月”“N月底（前）”“N月末”“N月份”=N月最后一日；“N月上旬”=N月10日；"
    "“N月中旬”=N月20日（中旬为11日至20日）；“N月下旬”=N月最后一日；“N月份前”=N月之前，即上月最后一日；"
    "“一季度”“第一季度”“一季度末（前）”=3月31日，二、三、四季度依次为6月30日、9月30日、12月31日；"
    "“上半年”=6月30日，“下半年”=12月31日；“全年”“年内”“年底（前）”“年末”“YYYY年底前”=12月31日；"
    "前可加“YYYY年”指明年份；“按期”“定期”“长期”“持续”“常态化”=无固定日期，不判定逾期。"
    "均含当日，不顺延。“N月前”（N月之前还是N月底前不明）与其他说法不解读，列入待人工核对清单。"
)

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_BY = r"(?:前|以前|之前)?(?:完成)?"
_TAIL = r"(?P<tail>[^\d〇零一二三四五六七八九十年月日号旬季度底末前后内起至到止及和、~-]*)"
_YEAR = r"(?:(?P<year>\d{4})年)?"
NO_DATE = ("按期", "定期", "长期", "持续", "常态化", "常态", "长效")
_NO_DATE = re.compile("(?:" + "|".join(NO_DATE) + r")[^\d〇零一二三四五六七八九十年月日号旬季度底末]*")

_FORMS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(_YEAR + body + _TAIL))
    for name, body in [
        ("day", rf"(?P<month>{_NUM})月(?P<day>{_NUM})[日号]{_BY}"),
        ("before_month", rf"(?P<month>{_NUM})月份(?:前|以前|之前){'(?:完成)?'}"),
        ("month", rf"(?P<month>{_NUM})月(?P<part>上旬|中旬|下旬|底|末|份)?(?:(?<=[底末旬份])|(?!前)){_BY}"),
        ("quarter", rf"第?(?P<quarter>[一二三四1-4])季度(?:末|底)?{_BY}"),
        ("half", rf"(?P<half>上|下)半年{_BY}"),
        ("year_end", rf"(?:全年|年内|年底|年末|(?<=\d年)(?:底|末|内)){_BY}"),
    ]
]


@dataclass(frozen=True)
class PhraseReading:
    """A phrase read: `due` is None for a phrase without a fixed date (按期, 定期...) when `understood`."""

    due: dt.date | None
    understood: bool
    why: str = ""


def _number(text: str) -> int:
    """1-31 in Arabic or Chinese numerals (十, 十五, 二十, 三十一)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else -1


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, month_days.monthrange(year, month)[1])


def read(phrase: str, plan_year: int) -> PhraseReading:
    """The due date of a completion phrase in a plan for `plan_year`, or why it cannot be read."""
    text = re.sub(r"\s+", "", phrase).rstrip("。.;；,，")
    if not text:
        return PhraseReading(None, False, "完成时限为空（empty completion phrase）")
    if _NO_DATE.fullmatch(text):
        return PhraseReading(None, True)
    for name, pattern in _FORMS:
        match = pattern.fullmatch(text)
        if match:
            return _date_of(name, match, plan_year)
    if re.fullmatch(rf"{_YEAR}{_NUM}月(?:前|以前|之前)(?:完成)?{_TAIL}", text):
        return PhraseReading(
            None, False, "“N月前”有两种理解（该月之前，或该月底前），请写明“N月份前”或“N月底前”（ambiguous）"
        )
    if re.search(r"每[月周季年]|每半年", text):
        return PhraseReading(
            None, False, "这是周期性要求，不是一个完成日期，请写成周期规则（recurring, not one due date）"
        )
    return PhraseReading(None, False, "无法解读的完成时限，请人工核对（no known reading）")


def _date_of(name: str, match: re.Match, plan_year: int) -> PhraseReading:
    year = int(match["year"]) if match["year"] else plan_year
    if not 1900 <= year <= 2100:
        return PhraseReading(None, False, f"年份 {year} 超出范围（year out of range）")
    if name == "year_end":
        return PhraseReading(dt.date(year, 12, 31), True)
    if name == "half":
        return PhraseReading(dt.date(year, 6, 30) if match["half"] == "上" else dt.date(year, 12, 31), True)
    if name == "quarter":
        quarter = int(match["quarter"]) if match["quarter"].isdigit() else _CN_DIGITS[match["quarter"]]
        return PhraseReading(_month_end(year, quarter * 3), True)
    month = _number(match["month"])
    if not 1 <= month <= 12:
        return PhraseReading(None, False, f"没有 {match['month']} 月（no such month）")
    if name == "before_month":
        return PhraseReading(_month_end(year - 1, 12) if month == 1 else _month_end(year, month - 1), True)
    if name == "day":
        day = _number(match["day"])
        if not 1 <= day <= month_days.monthrange(year, month)[1]:
            return PhraseReading(None, False, f"{year}年{month}月没有{match['day']}日（no such day）")
        return PhraseReading(dt.date(year, month, day), True)
    day = {"上旬": 10, "中旬": 20}.get(match["part"] or "")
    return PhraseReading(dt.date(year, month, day) if day else _month_end(year, month), True)
