"""Calendar benchmark: "add N working days" four ways, measured in one run.

Baseline: a naive day-by-day loop over chinese-calendar's is_workday (the obvious way to write it).
Compared: our scalar O(1) index, our vectorised numpy form, and numpy.busday_offset with a Mon-Fri
week and the holiday list (fast, but blind to make-up working days: its wrong answers are counted).
Run: make bench   (or .venv/bin/python bench/calendar_bench.py [--quick])
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import chinese_calendar
import numpy as np
import yaml

from engine.calendar import WorkCalendar, law, load_calendar, load_calendar_data
from engine.calendar.notice import import_notices

FIRST, LAST = (
    dt.date(2006, 1, 1),
    dt.date(2026, 10, 31),
)  # after the 2005-12-31 correction: the reference agrees


def naive_add(start: dt.date, n: int) -> dt.date:
    day, counted = start, 0
    while counted < n:
        day = day + dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    n_naive, n_scalar, n_vector = (
        (2_000, 100_000, 1_000_000) if args.quick else (20_000, 1_000_000, 10_000_000)
    )
    rng = random.Random(20241008)
    span = LAST.toordinal() - FIRST.toordinal()
    starts = [dt.date.fromordinal(FIRST.toordinal() + rng.randrange(span)) for _ in range(n_scalar)]
    amounts = [rng.randint(1, 20) for _ in range(n_scalar)]

    _, build = timed(lambda: load_calendar())
    cal = load_calendar()
    # the law's check runs when a year file is read: an imported notice layered over the bundle, with the
    # statutory days computed by lunar-python (first run on a machine; its import is not counted) and then
    # read from the cache that run wrote (every run after)
    with tempfile.TemporaryDirectory() as folder:
        doc, _ = import_notices([Path(__file__).parent.parent / "tests/fixtures/notices/2026.txt"])
        (Path(folder) / "2026.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        builds = []
        for _ in range(2):
            law.statutory_days.cache_clear()
            law._disk_cache.cache_clear()
            builds.append(timed(lambda: WorkCalendar(load_calendar_data(dirs=[Path(folder)])))[1])
        build_cold, build_checked = builds
        law.statutory_days.cache_clear()
        law._disk_cache.cache_clear()
        _, bounds_cold = timed(
            lambda: WorkCalendar(cal.data).bounds
        )  # every published year's law days computed
        _, bounds = timed(lambda: WorkCalendar(cal.data).bounds)  # and read back

    naive, t_naive = timed(lambda: [naive_add(s, n) for s, n in zip(starts[:n_naive], amounts[:n_naive])])
    ours, t_scalar = timed(lambda: [cal.add_working_days(s, n) for s, n in zip(starts, amounts)])
    disagree_ref = sum(a != b for a, b in zip(naive, ours[:n_naive]))

    np_rng = np.random.default_rng(20241008)
    vec_starts = (np.datetime64(FIRST) + np_rng.integers(0, span, n_vector)).astype("datetime64[D]")
    vec_n = np_rng.integers(1, 21, n_vector)
    vec, t_vector = timed(lambda: cal.add_working_days_array(vec_starts, vec_n))
    sample = np_rng.integers(0, n_vector, 2_000)
    disagree_vec = sum(
        vec[i].astype(object) != cal.add_working_days(vec_starts[i].astype(object), int(vec_n[i]))
        for i in sample
    )

    weekday_holidays = [d for d in chinese_calendar.constants.holidays if d.weekday() < 5]
    cal_np = np.busdaycalendar(weekmask="1111100", holidays=np.array(weekday_holidays, dtype="datetime64[D]"))
    # roll="backward" then +n gives the n-th business day strictly after the start
    bus, t_bus = timed(lambda: np.busday_offset(vec_starts, vec_n, roll="backward", busdaycal=cal_np))
    disagree_bus = int(np.count_nonzero(bus != vec))

    rate = lambda count, secs: count / secs  # noqa: E731
    base = rate(n_naive, t_naive)
    rows = [
        ("naive chinese-calendar day loop (baseline)", n_naive, t_naive, 1.0, f"{disagree_ref} vs ours"),
        ("shixian scalar add_working_days", n_scalar, t_scalar, rate(n_scalar, t_scalar) / base, "reference"),
        (
            "shixian vectorised add_working_days_array",
            n_vector,
            t_vector,
            rate(n_vector, t_vector) / base,
            f"{disagree_vec} of 2000 sampled vs scalar",
        ),
        (
            "numpy.busday_offset, weekmask 1111100 + holidays",
            n_vector,
            t_bus,
            rate(n_vector, t_bus) / base,
            f"{disagree_bus} of {n_vector:,} differ from ours ({100 * disagree_bus / n_vector:.1f}%)",
        ),
    ]
    print(
        f"# calendar bench  {dt.datetime.now():%Y-%m-%d %H:%M}  python {platform.python_version()}  "
        f"{platform.machine()}  index build {build * 1000:.1f} ms"
    )
    print(
        f"index build with a checked year file (2026.yaml): {build_checked * 1000:.1f} ms with the law's days "
        f"cached, {build_cold * 1000:.1f} ms computing them; bounds of the unpublished years (once per process, "
        f"on the first deadline past the horizon): {bounds * 1000:.0f} ms cached, {bounds_cold * 1000:.0f} ms computing"
    )
    print("| method | operations | seconds | ops/s | × baseline | answers |")
    print("|---|---:|---:|---:|---:|---|")
    for name, count, secs, ratio, note in rows:
        print(f"| {name} | {count:,} | {secs:.3f} | {rate(count, secs):,.0f} | {ratio:,.0f}× | {note} |")


if __name__ == "__main__":
    main()
