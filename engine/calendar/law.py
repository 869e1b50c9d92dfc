"""Which days are statutory holidays in a year, by the 《全国年节及纪念日放假办法》 in force that year.

The yearly State Council notice only arranges 调休 around these days; the law fixes the days themselves.
Lunar festivals and 清明 are computed with lunar-python (the 6tail `lunar` library: pure Python, maintained,
lunar months and the 24 solar terms in one package), never typed. A year file is checked against this
(see `validate`), and years nobody has published yet are bounded with it (see `horizon`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Revision:
    """One version of the 办法 (第二条: 全体公民放假的节日) and from when it applies."""

    effective: dt.date
    citation: str
    days: dict[str, str]  # festival -> which days, as the article words it


# 第二条 of each revision, as published (1949年12月23日政务院发布, revised 1999, 2007, 2013, 2024).
REVISIONS = (
    Revision(
        dt.date(1999, 9, 18),
        "国务院令第270号（1999年9月18日修订）",
        {
            "元旦": "1月1日",
            "春节": "农历正月初一、初二、初三",
            "劳动节": "5月1日、2日、3日",
            "国庆节": "10月1日、2日、3日",
        },
    ),
    Revision(
        dt.date(2008, 1, 1),
        "国务院令第513号（2007年12月14日修订，2008年1月1日起施行）",
        {
            "元旦": "1月1日",
            "春节": "农历除夕、正月初一、初二",
            "清明节": "农历清明当日",
            "劳动节": "5月1日",
            "端午节": "农历端午当日",
            "中秋节": "农历中秋当日",
            "国庆节": "10月1日、2日、3日",
        },
    ),
    Revision(
        dt.date(2014, 1, 1),
        "国务院令第644号（2013年12月11日修订，2014年1月1日起施行）",
        {
            "元旦": "1月1日",
            "春节": "农历正月初一、初二、初三",
            "清明节": "农历清明当日",
            "劳动节": "5月1日",
            "端午节": "农历端午当日",
            "中秋节": "农历中秋当日",
            "国庆节": "10月1日、2日、3日",
        },
    ),
    Revision(
        dt.date(2025, 1, 1),
        "国务院令第795号（2024年11月10日修订，2025年1月1日起施行）",
        {
            "元旦": "1月1日",
            "春节": "农历除夕、正月初一至初三",
            "清明节": "农历清明当日",
            "劳动节": "5月1日、2日",
            "端午节": "农历端午当日",
            "中秋节": "农历中秋当日",
            "国庆节": "10月1日、2日、3日",
        },
    ),
)
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


def revision_for(year: int) -> Revision:
    """The revision in force on 1 January of `year` (every revision so far took effect on a 1 January,
    except 1999's, which preceded every year this project covers)."""
    if year < 2000:
        raise ValueError(f"no statutory holiday table before 2000 (asked for {year})")
    return [r for r in REVISIONS if r.effective <= dt.date(year, 1, 1)][-1]


def _lunar(year: int, month: int, day: int) -> dt.date:
    # imported on first use: ~80 ms, and the calendar index must not wait for it
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _solar_term(year: int, name: str) -> dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()[
        name
    ]  # the lunar year starting in `year` holds its April
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _days(year: int, festival: str, wording: str) -> tuple[dt.date, ...]:
    if festival == "春节":
        first = _lunar(year, 1, 1)
        n = 4 if "至初三" in wording else 3
        start = first.toordinal() - (1 if "除夕" in wording else 0)
        return tuple(dt.date.fromordinal(start + i) for i in range(n))
    if festival == "清明节":
        return (_solar_term(year, "清明"),)
    if festival == "端午节":
        return (_lunar(year, 5, 5),)
    if festival == "中秋节":
        return (_lunar(year, 8, 15),)
    month = {"元旦": 1, "劳动节": 5, "国庆节": 10}[festival]
    count = wording.count("日")
    return tuple(dt.date(year, month, d) for d in range(1, count + 1))


@cache
def statutory_days(year: int) -> dict[str, tuple[dt.date, ...]]:
    """festival -> its statutory rest days in `year`, by the revision in force (e.g. 2025: 13 days).

    lunar-python takes ~35 ms a year (and ~50 ms to import): the days it computed are kept in the user's
    cache directory, so that reading a year file (checked on every start) keeps the index build fast."""
    revision = revision_for(year)
    cache = _disk_cache()
    key = f"{year}:{revision.citation}"
    if key in cache:
        return {
            f: tuple(dt.date.fromisoformat(d) for d in cache[key][f]) for f in revision.days
        }  # the law's order
    days = {festival: _days(year, festival, wording) for festival, wording in revision.days.items()}
    cache[key] = {f: [d.isoformat() for d in ds] for f, ds in days.items()}
    _save(cache)
    return days


def _cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "shixian" / f"statutory-days-lunar-python-{metadata.version('lunar-python')}.json"


@lru_cache(maxsize=1)
def _disk_cache() -> dict:
    try:
        return json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save(cache: dict) -> None:
    """Best effort: a read-only home only costs the computation again next time."""
    path = _cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(cache, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass
