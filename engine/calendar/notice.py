"""Read the State Council's holiday notice as published and turn it into a year file.

Input: the plain text of 国务院办公厅关于YYYY年部分节假日安排的通知 (pasted from the government website or a
newspaper; full- or half-width punctuation), optionally followed by the notices that amended it (the 2019
劳动节 adjustment, the 2020 Spring Festival extension). Every sentence that mentions a day must match one of
the notice's known forms completely (`_FORMS`); anything else is an error quoting the sentence and its line,
never a guess. Weekday annotations (星期日, 周日) are checked against the date; "共N天" against the days listed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from .sources import Entry, NoticeFile

_WIDTH = str.maketrans(
    {"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "　": " ", "～": "至", "—": "至"}
)
_DAY = r"(?:(?:(\d{4})年)?(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?"
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]+、\s*(?:([^:,。]{1,20}?):)?\s*")
_TITLE = re.compile(r"国务院办公厅关于(?:调整|延长)?\d{4}年[^。\n]{0,20}?(?:安排|假期)的通知")
_NUMBER = re.compile(r"国办发明?电〔\d{4}〕\d+号")
_DATE_LINE = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")
_YEAR = re.compile(r"(?:关于|现将)(?:调整|延长)?(\d{4})年")
_AMENDED = re.compile(r"调整(\d{4})年(\S{2,4}?节)(?:假期|放假)安排")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
FESTIVAL_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@dataclass
class Rule:
    """One arrangement read from a sentence: rest days, working days, or an extension of a block."""

    festival: str
    rest: list[dt.date] = field(default_factory=list)
    work: list[dt.date] = field(default_factory=list)
    extend_to: dt.date | None = None
    quote: str = ""
    line: int = 0
    source: str = ""


@dataclass
class Notice:
    title: str
    number: str | None
    date: dt.date | None
    year: int
    rules: list[Rule]
    path: str


def _error(path: str, line: int, sentence: str, why: str) -> SourceError:
    return SourceError(path, line, None, f"{why}：“{sentence.strip()}”")


class _Reader:
    """Dates of one notice: a day without a year is in the notice's year (December of 元旦: the year before)."""

    def __init__(self, path: str, year: int):
        self.path, self.year = path, year

    def day(self, match: tuple, festival: str, month: int | None, line: int, sentence: str) -> dt.date:
        year_text, month_text, day_text, note = match
        month = int(month_text) if month_text else month
        if month is None:
            raise _error(self.path, line, sentence, "日期缺少月份")
        year = (
            int(year_text)
            if year_text
            else (self.year - 1 if festival == "元旦" and month == 12 else self.year)
        )
        try:
            day = dt.date(year, month, int(day_text))
        except ValueError:
            raise _error(self.path, line, sentence, f"不存在的日期 {year}年{month}月{day_text}日") from None
        if note:
            weekday = re.search(r"(?:星期|周)([一二三四五六日天])", note)
            if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
                raise _error(
                    self.path,
                    line,
                    sentence,
                    f"{day} 是周{'一二三四五六日'[day.weekday()]}，通知写的是{weekday.group(0)}",
                )
            if not weekday and "农历" not in note:
                raise _error(self.path, line, sentence, f"无法读懂日期后的注释（{note}）")
        return day

    def days(self, text: str, festival: str, line: int, sentence: str) -> list[dt.date]:
        """'1月19日(星期日)、2月1日(星期六)': each day, a later one taking the month of the one before."""
        out, month = [], None
        for part in text.split("、"):
            m = re.fullmatch(_DAY, part.strip())
            if not m:
                raise _error(self.path, line, sentence, "无法读懂日期列表")
            day = self.day(m.groups(), festival, month, line, sentence)
            out.append(day)
            month = day.month
        return out

    def span(
        self, first: tuple, last: tuple | None, festival: str, line: int, sentence: str
    ) -> list[dt.date]:
        a = self.day(first, festival, None, line, sentence)
        if last is None:
            return [a]
        b_year = last[0]
        b = self.day(
            (b_year or (str(a.year) if not last[1] else None), last[1] or str(a.month), last[2], last[3]),
            festival,
            a.month,
            line,
            sentence,
        )
        if b < a:
            raise _error(self.path, line, sentence, "结束日期早于开始日期")
        return [dt.date.fromordinal(o) for o in range(a.toordinal(), b.toordinal() + 1)]


_D = r"(?:(?:\d{4}年)?\d{1,2}月)?\d{1,2}日(?:\([^()]*\))?"  # _DAY without its groups


def _forms():
    day = f"({_D})"
    return [
        # 1月24日至30日放假调休,共7天 / 4月4日至6日放假,共3天 / 2020年1月1日放假,共1天 / 5月1日放假
        ("block", re.compile(rf"^{day}(?:至{day})?放假(调休|公休)?(?:,共(\d+)天)?$")),
        ("block_no_swap", re.compile(rf"^{day}放假(\d+)天,不调休$")),  # 1月1日(周三)放假1天,不调休
        ("with_weekend", re.compile(rf"^{day}放假,与周末连休$")),  # 5月1日放假,与周末连休
        ("bridge", re.compile(rf"^{day}放假,{day}补休$")),  # 1月1日放假,1月2日(星期一)补休
        ("work", re.compile(rf"^({_D}(?:、{_D})*)上班$")),  # 1月19日(星期日)、2月1日(星期六)上班
        ("extend", re.compile(rf"^延长(\d{{4}})年春节假期至{day},{day}起正常上班$")),
        ("encourage", re.compile(r"^鼓励.*(?:休息|假期)[^日]*$|^鼓励[^\d]*$")),  # no day changes status
    ]


_FORMS = _forms()


def _groups(text: str) -> tuple:
    return re.fullmatch(_DAY, text).groups()


def parse_notice(text: str, path: str) -> Notice:
    """Every arrangement of one notice, with the sentence it comes from."""
    originals = text.splitlines()
    lines = text.translate(_WIDTH).splitlines()  # one character for one: offsets hold in both
    joined = re.sub(r"[ \t]+", "", "\n".join(lines))  # reprints put spaces in titles: 关于调整 2019年
    title_match = _TITLE.search(joined)
    year_match = _YEAR.search(joined)
    if not year_match:
        raise SourceError(
            path, 1, None, "找不到通知的年份：请粘贴通知全文，含标题或“现将YYYY年……通知如下”一句"
        )
    year = int(year_match.group(1))
    number = _NUMBER.search(joined)
    date = None
    for raw in lines:
        m = _DATE_LINE.match(raw)
        if m:
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    amended = _AMENDED.search(joined)
    title = title_match.group(0) if title_match else f"国务院办公厅关于{year}年部分节假日安排的通知"
    reader = _Reader(path, year)
    rules: list[Rule] = []
    festival = amended.group(2) if amended else None
    in_items = False  # the preamble states principles ("国庆节自10月1日起放假调休7天"), not this year's days
    for number_line, raw in enumerate(lines, start=1):
        if in_items and (_DATE_LINE.match(raw) or raw.strip() == "国务院办公厅"):
            break  # the signature: what follows (a newspaper's dateline, related links) is not the notice
        offset = 0
        for sentence in re.split(r"(?<=[。;])", raw):
            quoted = originals[number_line - 1][offset : offset + len(sentence)].strip()  # as published
            offset += len(sentence)
            body = sentence.strip().rstrip("。;").strip()
            if not body:
                continue
            item = _ITEM.match(body)
            in_items = in_items or bool(item)
            if not in_items:
                continue
            if item:
                if item.group(1):
                    names = [n.strip() for n in item.group(1).split("、")]
                    if all(n in FESTIVAL_NAMES for n in names):
                        festival = "、".join(names)
                    elif re.search(r"\d+日", body):
                        raise _error(path, number_line, sentence, f"不认识的节日名称（{item.group(1)}）")
                body = body[item.end() :].strip()
            if not re.search(r"\d{1,2}日", body) or _DATE_LINE.match(body) or _TITLE.fullmatch(body):
                continue  # boilerplate: no day in it, or the notice's own date
            rules.append(_read(reader, body.replace(" ", ""), festival, number_line, quoted, path))
    return Notice(title, number.group(0) if number else None, date, year, [r for r in rules if r], path)


def _read(
    reader: _Reader, body: str, festival: str | None, line: int, sentence: str, path: str
) -> Rule | None:
    for kind, pattern in _FORMS:
        m = pattern.match(body)
        if not m:
            continue
        if festival is None and kind != "extend":
            raise _error(path, line, sentence, "这句话不属于任何节日条目（应在“一、元旦：”之类的条目中）")
        festival = festival or "春节"
        rule = Rule(festival, quote=sentence.rstrip(), line=line)
        if kind == "block":
            first, last = _groups(m.group(1)), (_groups(m.group(2)) if m.group(2) else None)
            rule.rest = reader.span(first, last, festival, line, sentence)
            if m.group(4) and int(m.group(4)) != len(rule.rest):
                raise _error(path, line, sentence, f"“共{m.group(4)}天”与所列日期（{len(rule.rest)}天）不符")
        elif kind == "block_no_swap":
            rule.rest = reader.span(_groups(m.group(1)), None, festival, line, sentence)
            if int(m.group(2)) != 1:
                raise _error(path, line, sentence, "“放假N天，不调休”只用于单日")
        elif kind == "with_weekend":
            rule.rest = reader.span(_groups(m.group(1)), None, festival, line, sentence)
        elif kind == "bridge":
            rule.rest = [reader.span(_groups(m.group(i)), None, festival, line, sentence)[0] for i in (1, 2)]
        elif kind == "work":
            rule.work = reader.days(m.group(1), festival, line, sentence)
        elif kind == "extend":
            target = reader.span(_groups(m.group(2)), None, festival, line, sentence)[0]
            back = reader.span(_groups(m.group(3)), None, festival, line, sentence)[0]
            if back.toordinal() != target.toordinal() + 1:
                raise _error(path, line, sentence, "恢复上班的日期应是延长假期的次日")
            rule.festival, rule.extend_to = "春节", target
        else:
            return None  # encouragement: no day changes status
        return rule
    raise _error(path, line, sentence, "无法完整读懂这句话（不猜测：请核对原文，或手工编写年度文件）")


def year_file(notices: list[Notice]) -> tuple[dict, NoticeFile]:
    """The year file of a notice and the notices amending it, in the order given: an adjustment replaces its
    festival's arrangement, an extension lengthens the Spring Festival block (work days inside it go).
    Returns the YAML document and the same as a NoticeFile for the law's checks (lines point into the text)."""
    main, year = notices[0], notices[0].year
    rules: list[Rule] = []
    for notice in notices:
        if notice.year != year:
            raise SourceError(notice.path, 1, None, f"这份通知是{notice.year}年的，而第一份是{year}年的")
        amended = {r.festival for r in notice.rules if r.extend_to is None} if notice is not main else set()
        rules = [r for r in rules if r.festival not in amended]
        for rule in notice.rules:
            rule.source = notice.title + (f"（{notice.number}）" if notice.number else "")
            if rule.extend_to is not None:
                rules.append(_extension(rules, rule, notice.path))
            else:
                rules.append(rule)
    entries, days = [], []
    for rule in rules:
        quote = (
            rule.quote
            if rule.source == main.title + (f"（{main.number}）" if main.number else "")
            else f"{rule.source}：{rule.quote}"
        )
        for first, last in _runs(rule.rest):
            entries.append(Entry(first, last, False, rule.festival, quote, rule.line))
            days.append(
                {"from": first, "to": last, "status": "rest", "name": rule.festival, "quote": quote}
                if last != first
                else {"date": first, "status": "rest", "name": rule.festival, "quote": quote}
            )
        for day in rule.work:
            entries.append(Entry(day, day, True, rule.festival, quote, rule.line))
            days.append({"date": day, "status": "work", "name": rule.festival, "quote": quote})
    head = {"title": main.title}
    if main.number:
        head["number"] = main.number
    if main.date:
        head["date"] = main.date
    doc = {"calendar": "national", "notice": head}
    if len(notices) > 1:
        doc["why"] = "另含：" + "；".join(
            n.title + (f"（{n.number}）" if n.number else "") for n in notices[1:]
        )
    doc["covers"] = [year]
    doc["days"] = days
    checked = NoticeFile(Path(main.path), "national", main.title, [year], [], entries, 1)
    return doc, checked


def _extension(rules: list[Rule], rule: Rule, path: str) -> Rule:
    """The days an extension adds after the festival's last rest day; make-up days inside them are dropped."""
    block = [d for r in rules if r.festival.startswith("春节") for d in r.rest]
    if not block:
        raise _error(
            path,
            rule.line,
            rule.quote,
            "延长春节假期，但之前的通知里没有春节的安排：请把原通知放在前面一起导入",
        )
    start = max(block).toordinal() + 1
    rule.rest = [dt.date.fromordinal(o) for o in range(start, rule.extend_to.toordinal() + 1)]
    for r in rules:
        r.work = [d for d in r.work if not (start <= d.toordinal() <= rule.extend_to.toordinal())]
    return rule


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if out and day.toordinal() == out[-1][1].toordinal() + 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def import_notices(paths: list[Path]) -> tuple[dict, int]:
    """Read the notices (files of UTF-8 text), check the result against the law, return (document, year)."""
    from .validate import check_notice_file

    notices = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise SourceError(str(path), None, None, "通知文本应为 UTF-8 编码的纯文本") from None
        notices.append(parse_notice(text, str(path)))
    doc, checked = year_file(notices)
    check_notice_file(checked)
    return doc, notices[0].year
