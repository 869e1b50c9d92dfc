"""`shixian calendar import-notice` on real notice texts (tests/fixtures/notices, sources in its README).

Each imported year must agree with chinese-calendar 1.11.0 on every day of that year; the days a notice sets
in the December before its year (2018-12-29/31 in the 2019 notice) are checked with that year.
"""

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from conftest import ROOT, run_cli

from engine.calendar import load_calendar_data

NOTICES = ROOT / "tests" / "fixtures" / "notices"
# year -> the notices that make it, main first (amendments after)
FIXTURES = {
    2012: ["2012.txt"],
    2017: ["2017.txt"],
    2018: ["2018.txt"],
    2019: ["2019.txt", "2019-labour-day.txt"],
    2020: ["2020.txt", "2020-extension.txt"],
    2021: ["2021.txt"],
    2023: ["2023.txt"],
    2024: ["2024.txt"],
    2025: ["2025.txt"],
    2026: ["2026.txt"],
}


def _import(tmp_path: Path, year: int) -> dict:
    out = tmp_path / f"{year}.yaml"
    result = run_cli("calendar", "import-notice", *[str(NOTICES / n) for n in FIXTURES[year]], "-o", str(out))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def _statuses(doc: dict) -> dict[dt.date, bool]:
    out = {}
    for entry in doc["days"]:
        first = entry.get("from", entry.get("date"))
        for ordinal in range(first.toordinal(), entry.get("to", first).toordinal() + 1):
            out[dt.date.fromordinal(ordinal)] = entry["status"] == "work"
    return out


@pytest.mark.parametrize("year", sorted(FIXTURES))
def test_import_reproduces_chinese_calendar_on_every_day_of_the_year(tmp_path, year):
    doc = _import(tmp_path, year)
    assert doc["covers"] == [year] and doc["calendar"] == "national"
    status = _statuses(doc)
    if year + 1 in FIXTURES:  # the next notice may set the last days of this December
        status.update({d: w for d, w in _statuses(_import(tmp_path, year + 1)).items() if d.year == year})
    days = [
        dt.date.fromordinal(o)
        for o in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() + 1)
    ]
    wrong = [d for d in days if status.get(d, d.weekday() < 5) != chinese_calendar.is_workday(d)]
    assert wrong == []
    assert all(entry["quote"] for entry in doc["days"])  # every day cites its sentence


def test_the_imported_file_carries_title_number_and_date(tmp_path):
    doc = _import(tmp_path, 2017)
    assert doc["notice"] == {
        "title": "国务院办公厅关于2017年部分节假日安排的通知",
        "number": "国办发明电〔2016〕17号",
        "date": dt.date(2016, 12, 1),
    }
    # 2017 notice, 一、元旦:"1月1日放假,1月2日(星期一)补休。": Monday 2017-01-02 rests
    assert _statuses(doc)[dt.date(2017, 1, 2)] is False


def test_amendments_replace_or_extend(tmp_path):
    doc = _import(tmp_path, 2020)
    assert "国务院办公厅关于延长2020年春节假期的通知" in doc["why"]
    status = _statuses(doc)
    # 国办发明电〔2020〕1号: 春节 extended to 2月2日; 2月1日 (Saturday) is no longer a make-up day
    assert [status.get(dt.date(2020, 1, d)) for d in (30, 31)] == [False, False]
    assert status.get(dt.date(2020, 2, 1)) is False and status.get(dt.date(2020, 2, 2)) is False
    labour = _statuses(_import(tmp_path, 2019))
    # 国办发明电〔2019〕3号: 5月1日至4日放假调休; 4月28日、5月5日上班 (the first notice said 5月1日 only)
    assert [labour.get(dt.date(2019, 5, d)) for d in (1, 2, 3, 4, 5)] == [False, False, False, False, True]
    assert labour.get(dt.date(2019, 4, 28)) is True


def test_an_imported_year_loads_over_the_bundled_calendar(tmp_path):
    _import(tmp_path, 2026)
    data = load_calendar_data(dirs=[tmp_path])
    assert data.coverage[2026].startswith("国务院办公厅关于2026年部分节假日安排的通知")
    assert list(data.corrections) == [dt.date(2005, 12, 31)]  # only the bundled 2006 correction: 2026 agrees


def _cut(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "notice.txt"
    path.write_text(text, encoding="utf-8")
    result = run_cli("calendar", "import-notice", str(path))
    return result.returncode, result.stderr


REAL = (NOTICES / "2026.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change, located, reason",
    [
        # truncated in the middle of the last item
        (
            lambda t: t[: t.index("七、国庆节:10月1日(周四)至7日") + 22],
            "notice.txt:19:",
            "无法完整读懂这句话",
        ),
        # the last item missing altogether: the law's check names the festival
        (lambda t: t.replace(t[t.index("七、国庆节") : t.index("鼓励单位")], ""), "notice.txt", "缺少国庆节"),
        # an altered total
        (
            lambda t: t.replace("放假调休,共9天", "放假调休,共8天"),
            "notice.txt:9:",
            "“共8天”与所列日期（9天）不符",
        ),
        # an altered weekday
        (
            lambda t: t.replace("1月4日(周日)上班", "1月4日(周一)上班"),
            "notice.txt:7:",
            "2026-01-04 是周日，通知写的是周一",
        ),
        # a make-up day moved to a weekday: read, then refused by the law's check
        (
            lambda t: t.replace("5月9日(周六)上班", "5月8日(周五)上班"),
            "notice.txt:13:",
            "调休上班日只能是周六或周日",
        ),
        # a sentence of an unknown form
        (
            lambda t: t.replace("1月4日(周日)上班", "1月4日(周日)照常上班"),
            "notice.txt:7:",
            "无法完整读懂这句话",
        ),
    ],
)
def test_a_truncated_or_altered_notice_gives_a_located_error(tmp_path, change, located, reason):
    code, err = _cut(tmp_path, change(REAL))
    assert code == 2
    assert located in err and reason in err, err


def test_fixture_sources_are_recorded():
    readme = (NOTICES / "README.md").read_text(encoding="utf-8")
    for names in FIXTURES.values():
        for name in names:
            assert f"`{name}`" in readme and "http" in readme.split(f"`{name}`")[1].splitlines()[0]
