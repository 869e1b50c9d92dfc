"""The statutory days of each revision of 《全国年节及纪念日放假办法》, computed (lunar-python), against the
published schedules chinese-calendar carries."""

import datetime as dt

import chinese_calendar
import pytest

from engine.calendar import law
from engine.calendar.law import revision_for, statutory_days


@pytest.fixture(autouse=True)
def computed_here(tmp_path, monkeypatch):
    """Compute with lunar-python in this test, not from the user's cache of earlier computations."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    law.statutory_days.cache_clear()
    law._disk_cache.cache_clear()
    yield
    law.statutory_days.cache_clear()
    law._disk_cache.cache_clear()


def test_computed_days_are_cached_on_disk_and_read_back(tmp_path):
    first = statutory_days(2027)
    assert (tmp_path / "shixian").is_dir()
    law.statutory_days.cache_clear()
    law._disk_cache.cache_clear()
    assert statutory_days(2027) == first


@pytest.mark.parametrize("year", range(2004, 2027))
def test_every_statutory_day_was_a_rest_day_in_every_published_year(year):
    days = [d for festival in statutory_days(year).values() for d in festival]
    assert days and all(not chinese_calendar.is_workday(d) for d in days)


@pytest.mark.parametrize(
    "year, total, citation",
    [
        (2007, 10, "第270号"),  # 1999 revision: 元旦1, 春节3, 劳动节3, 国庆节3
        (2008, 11, "第513号"),  # 2007 revision: 清明、端午、中秋 added, 劳动节 one day, 春节 from 除夕
        (2014, 11, "第644号"),  # 2013 revision: 春节 正月初一至初三
        (2025, 13, "第795号"),  # 2024 revision: 春节 gains 除夕, 劳动节 5月2日
    ],
)
def test_revision_in_force_and_its_number_of_days(year, total, citation):
    assert sum(len(d) for d in statutory_days(year).values()) == total
    assert citation in revision_for(year).citation


def test_lunar_and_solar_term_days_match_the_notices():
    # 国务院办公厅关于2025年部分节假日安排的通知: 春节 1月28日（农历除夕）; 2024 notice: 清明节 4月4日;
    # 2023 notice: 中秋节 9月29日; 2020 notice: 端午节 6月25日; 2008 notice: 春节 2月6日（除夕）起
    assert statutory_days(2025)["春节"] == tuple(dt.date(2025, 1, d) for d in (28, 29, 30, 31))
    assert statutory_days(2024)["清明节"] == (dt.date(2024, 4, 4),)
    assert statutory_days(2023)["中秋节"] == (dt.date(2023, 9, 29),)
    assert statutory_days(2020)["端午节"] == (dt.date(2020, 6, 25),)
    assert statutory_days(2008)["春节"] == (dt.date(2008, 2, 6), dt.date(2008, 2, 7), dt.date(2008, 2, 8))
    assert statutory_days(2025)["劳动节"] == (dt.date(2025, 5, 1), dt.date(2025, 5, 2))
