"""Which events each rule's evaluator must be fed one by one; the rest are settled here, in columns.

The screen only ever sets aside what provably ends quiet (on time, or no obligation at all) when the
rule's evaluator runs, or what it judges itself exactly as that evaluator would; anything it cannot
vouch for is kept, so the findings are the same as if every event were fed (the day-by-day oracle of
tests/oracle.py and the hand-checked tests hold that). When the quiet outcomes are wanted too
(`Context.keep_quiet`), it sets aside only what has no outcome at all and judges nothing itself:

- deadline: a subject (key) none of whose triggers matches the rule says nothing; an optional rule's
  subject without a fulfilment says nothing; a subject with exactly one matching trigger and one later
  fulfilment is set aside when the fulfilment beats the deadline of its clock: with no clock control, the
  trigger's own deadline by `WorkCalendar.due_array` (the same arithmetic as the scalar one, a property test
  keeps them equal); with controls, the clock in effect by `evaluate.clock` (the one home of pause, restart
  and extension, also used by the evaluators and the live monitor); a subject with one matching trigger, no
  clock control while its clock runs and a deadline in days or working days is judged here, late, overdue
  or due soon (`Verdicts`; their findings are written by verdicts.py);
- required fields: an event that carries its fields and links to an existing subject;
- counts, yearly rules, ratios and recurrences without an opening event watch only the first matching event of
  each body; other kinds keep all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..calendar import SHANGHAI, Period, WorkCalendar
from ..errors import CalendarCoverageError
from ..evaluate.clock import Mark, asked_days, clock_deadlines, control_kinds, deadline, end_pause, run_clock
from ..evaluate.context import Context, local_date
from ..evaluate.verdict import NO_DAY_INDEX, at_least_one, due_soon, on_time, overdue
from ..model.events import CORE_FIELDS
from ..model.rules import CountRule, DeadlineRule, DueByRule, FieldsRule, RatioRule, RecurrenceRule
from ..ruleset.loader import LoadedRule, RuleSet
from ..ruleset.match import compile_mask
from .counted import SetAside
from .frame import EPOCH, ORDINAL_1970, Frame


@dataclass
class View:
    """The frame's events at or before as-of, in evaluation order (time, then read order)."""

    frame: Frame
    order: np.ndarray
    types: list[str]

    def __post_init__(self) -> None:
        f, o = self.frame, self.order
        self.n = len(o)
        self.instant, self.day, self.year = f.instant[o], f.day[o], f.year[o]
        self.date_only, self.odd = f.date_only[o], f.odd_mask[o]
        self._encoded: dict[str, tuple[pa.Array, np.ndarray]] = {}
        self._linked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        codes = pc.index_in(self.frame.column("type"), value_set=pa.array(self.types, pa.string()))
        self.type = codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)[self.order]

    def take(self, name: str, rows) -> pa.Array:
        """A column's values at some rows of the view (taken from the frame: no whole column is reordered)."""
        return self.frame.column(name).take(pa.array(self.order[np.asarray(rows, np.int64)], pa.int64()))

    def encoded(self, name: str) -> tuple[pa.Array, np.ndarray]:
        """A column as its distinct values (null last, for absent) and each event's index into them, in
        evaluation order: tests and keys work on the few distinct values, not on every row's text."""
        if name not in self._encoded:
            enc = self.frame.column(name).dictionary_encode()
            values = pa.concat_arrays([enc.dictionary, pa.nulls(1, pa.string())])
            codes = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
            self._encoded[name] = (values, codes[self.order])
        return self._encoded[name]

    def as_subject(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """An attribute that names a subject, as subject codes: for each of its distinct values the code of
        the subject of that name (`encoded("subject")`), or a code beyond them all; and each event's index."""
        if name not in self._linked:
            subjects = self.encoded("subject")[0]
            values, codes = self.encoded(name)
            found = pc.index_in(subjects[:-1], value_set=values[:-1]).to_numpy(zero_copy_only=False)
            codes_of = len(subjects) + np.arange(
                len(values)
            )  # few distinct values: hash those, probe subjects
            hit = ~np.isnan(found) if found.dtype.kind == "f" else np.ones(len(found), bool)
            codes_of[found[hit].astype(np.int64)] = np.flatnonzero(hit)
            self._linked[name] = (codes_of, codes)
        return self._linked[name]

    def code(self, event_type: str) -> int:
        return self.types.index(event_type) if event_type in self.types else -2

    def of_types(self, types) -> np.ndarray:
        wanted = np.zeros(len(self.types) + 1, bool)  # the last entry is for -1, a type no rule names
        wanted[[self.types.index(t) for t in types if t in self.types]] = True
        return wanted[self.type]


def attributes_read(ruleset: RuleSet) -> set[str]:
    """Every event field a screen reads: filters, links, required fields."""
    names: set[str] = set()
    for loaded in ruleset.rules:
        rule = loaded.rule
        names.update(str(k) for k in rule.applies_to)
        if isinstance(rule, DeadlineRule) and rule.fulfil_link:
            names.add(rule.fulfil_link)
        if isinstance(rule, DeadlineRule) and rule.extend:
            names.add("days")  # how long an extension asks for (DeadlineEvaluator._extend)
        if isinstance(rule, FieldsRule):
            names.update(rule.fields)
            if rule.link:
                names.add(rule.link.field)
    return names


def _matches(loaded: LoadedRule, view: View, rows: np.ndarray) -> np.ndarray:
    def encoded(name):
        values, codes = view.encoded(name)
        return values, codes[rows]

    return compile_mask(loaded.rule.applies_to)(encoded, len(rows))


def _effective(loaded: LoadedRule, days: np.ndarray) -> np.ndarray:
    eff, ok = loaded.rule.effective, np.ones(len(days), bool)
    if eff.from_ is not None:
        ok &= days >= eff.from_.toordinal() - ORDINAL_1970
    if eff.to is not None:
        ok &= days <= eff.to.toordinal() - ORDINAL_1970
    return ok


@dataclass
class Verdicts:
    """Obligations of one deadline rule judged in columns (no clock control ever touched them): the view
    rows of each trigger and fulfilment (-1: still open), due instant (µs) and last day (epoch days), the
    status and how many units late or left (`overdue_by`, or the time left of a due_soon)."""

    trigger: np.ndarray
    done: np.ndarray
    due: np.ndarray
    last: np.ndarray
    status: np.ndarray  # of VERDICTS
    amount: np.ndarray

    def __len__(self) -> int:
        return len(self.trigger)


VERDICTS = ("late", "overdue", "due_soon")


def _deadline(loaded: LoadedRule, view: View, ctx: Context) -> tuple[np.ndarray, Verdicts | None]:
    rule: DeadlineRule = loaded.rule
    related = view.of_types(rule.event_types())
    if rule.trigger == rule.fulfil:
        return related, None
    idx = np.flatnonzero(related)
    is_t, is_f = view.of_types(rule.triggers)[idx], view.of_types(rule.fulfils)[idx]
    key = view.encoded("subject")[1][idx]
    if rule.fulfil_link:  # a fulfilment names its subject in an attribute (else its own subject is meant)
        as_subject, link = view.as_subject(rule.fulfil_link)
        link = link[idx]
        linked = is_f & (link < len(as_subject) - 1)  # the last value is null: no attribute
        key = np.where(linked, as_subject[link], key)
    size = int(key.max()) + 1 if len(key) else 0

    def count(mask):
        return np.bincount(key[mask], minlength=size)

    matched = np.zeros(len(idx), bool)
    t_rows = np.flatnonzero(is_t)
    matched[t_rows] = _matches(loaded, view, idx[t_rows]) & _effective(loaded, view.day[idx[t_rows]])
    n_t, n_f = count(is_t), count(is_f)
    n_m, n_odd = count(matched), count(view.odd[idx])
    settled = (n_m == 0) & (n_odd == 0)
    if rule.optional:
        settled |= (n_f == 0) & (n_odd == 0)
    # where the single trigger and fulfilment of a subject are (meaningful where there is one of each)
    t_pos, f_pos = np.full(size, -1, np.int64), np.full(size, -1, np.int64)
    t_pos[key[is_t]], f_pos[key[is_f]] = idx[is_t], idx[is_f]
    controls = Controls.between(key, idx, ~(is_t | is_f), t_pos, np.where(n_f == 0, view.n, f_pos))
    single = (n_t == 1) & (n_m == 1) & (n_odd == 0)
    one = single & (n_f == 1)
    set_aside = SetAside(ctx.obligations, rule.id, view)  # what is settled here is counted (counted.py)
    if one.any() and not ctx.keep_quiet:  # an on-time outcome is wanted too: the evaluator writes it
        settled |= _fulfilled_on_time(rule, view, ctx.calendar, one, controls, t_pos, f_pos, set_aside)
    verdicts = None
    if rule.period.unit in ("wd", "d") and not ctx.keep_quiet:
        bare = single & (controls.count == 0) & ~settled
        if rule.also_triggers or rule.also_fulfils:  # verdicts.py names the rule's own trigger and fulfilment
            plain = (view.type[np.maximum(t_pos, 0)] == view.code(rule.trigger)) & (
                (f_pos < 0) | (view.type[np.maximum(f_pos, 0)] == view.code(rule.fulfil))
            )
            bare &= plain
        late = bare & (n_f == 1) & (t_pos < f_pos)
        still_open = bare & (n_f == 0) & (not rule.optional)
        verdicts, judged = _verdicts(
            loaded,
            view,
            ctx,
            np.flatnonzero(late | still_open),
            t_pos,
            np.where(n_f == 0, -1, f_pos),
            set_aside,
        )
        settled[judged] = True
    keep = np.zeros(view.n, bool)
    keep[idx[~settled[key]]] = True
    return keep, verdicts


@dataclass
class Controls:
    """Per subject, the clock controls (pause, resume, restart, extension) while its clock runs: after its
    trigger and before its fulfilment (or as-of). Controls outside that do nothing."""

    key: np.ndarray  # subject of each control inside, in view order
    pos: np.ndarray  # its view row
    count: np.ndarray  # controls inside, per subject

    @classmethod
    def between(cls, key, idx, is_control, t_pos, end) -> Controls:
        ck, cpos = key[is_control], idx[is_control]
        inside = (t_pos[ck] >= 0) & (t_pos[ck] < cpos) & (cpos < end[ck])
        ck, cpos = ck[inside], cpos[inside]
        return cls(ck, cpos, np.bincount(ck, minlength=len(t_pos)))


def _verdicts(
    loaded: LoadedRule, view: View, ctx: Context, subjects, t_pos, f_pos, set_aside: SetAside
) -> tuple[Verdicts | None, np.ndarray]:
    """Late and open obligations of subjects whose clock nothing touched, judged as `Context.judge_done`
    and `judge_open` would. Returns them and the subjects judged (the rest, e.g. outside the calendar,
    are left to the rule's evaluator)."""
    rule: DeadlineRule = loaded.rule
    cal, unit = ctx.calendar, rule.period.unit
    t, d = t_pos[subjects], f_pos[subjects]
    due, last, ok = cal.due_array(view.instant[t], view.day[t], rule.period, rule.counting.conventions())
    status, amount = np.zeros(len(t), np.int64), np.zeros(len(t), np.int64)
    done = d >= 0
    # late (on time is left to _fulfilled_on_time): "by" in the rule's unit from the last day to the
    # fulfilment's day (Context.judge_done)
    f = np.maximum(d, 0)
    late_by, by_ok = _units(cal, last, view.day[f], unit)
    status[done], amount[done] = 0, at_least_one(late_by[done])
    ok &= ~done | (by_ok & ~_on_time(view, f, due, last))
    # open at as-of: overdue (by from the last day to as-of) or, within the warning period, due soon
    as_of_day = local_date(ctx.as_of).toordinal() - ORDINAL_1970
    as_of_us = (ctx.as_of - EPOCH) // dt.timedelta(microseconds=1)
    warn = ctx.warn_period(loaded)
    passed = ~done & overdue(as_of_us, due)
    over_by, over_ok = _units(cal, last, np.full(len(t), as_of_day), unit)
    left, left_ok = _units(cal, np.full(len(t), as_of_day), last, warn.unit)
    status[passed], amount[passed] = 1, at_least_one(over_by[passed])
    still = ~done & ~passed
    status[still], amount[still] = 2, left[still]
    ok &= ~passed | over_ok
    ok &= ~still | (left_ok & (warn.unit != "h"))
    pending = still & ~due_soon(as_of_us, due, left, warn.amount)  # quiet: nothing to report
    if ctx.open_subjects is not None:  # open at as-of: their findings change with time alone
        ctx.open_subjects.update(view.take("subject", t[~done]).to_pylist())
    judged = subjects[ok]
    keep = ok & ~pending
    quiet = ok & pending
    set_aside.add(t[quiet], due[quiet], last[quiet], "pending")
    if not keep.any():
        return None, judged
    return Verdicts(t[keep], d[keep], due[keep], last[keep], status[keep], amount[keep]), judged


def _units(
    calendar: WorkCalendar, earlier: np.ndarray, later: np.ndarray, unit: str
) -> tuple[np.ndarray, np.ndarray]:
    """`WorkCalendar.units_between` of two days (epoch days) in a day unit: (counts, ok)."""
    if unit == "wd":
        return calendar.working_days_between_array(earlier, later)
    return later - earlier, np.ones(len(earlier), bool)


def _fulfilled_on_time(
    rule: DeadlineRule,
    view: View,
    calendar: WorkCalendar,
    one,
    controls: Controls,
    t_pos,
    f_pos,
    set_aside: SetAside,
) -> np.ndarray:
    """Per subject: one matching trigger and one later fulfilment that beats the deadline of the clock in
    effect (clock.py; with no control, the trigger's own deadline, computed for all of them at once); each
    is counted as met on time (set_aside)."""
    out = np.zeros(len(one), bool)
    closed = one & (t_pos < f_pos)
    bare = np.flatnonzero(closed & (controls.count == 0))
    t = t_pos[bare]
    due, last, good = calendar.due_array(
        view.instant[t], view.day[t], rule.period, rule.counting.conventions()
    )
    met = good & _on_time(view, f_pos[bare], due, last)
    out[bare[met]] = True
    set_aside.add(t[met], due[met], last[met], "on_time")
    touched = np.flatnonzero(closed & (controls.count > 0))
    due, last, good = _clock_deadlines(rule, view, calendar, touched, controls, t_pos, f_pos)
    met = good & _on_time(view, f_pos[touched], due, last)
    out[touched[met]] = True
    set_aside.add(t_pos[touched[met]], due[met], last[met], "on_time")
    return out


def _on_time(view: View, done: np.ndarray, due: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether fulfilments (view rows) beat their deadlines, as `Context.judge_done` decides: before the due
    instant, or a bare date on or before the last day."""
    return on_time(
        view.instant[done], view.date_only[done], view.day[done], due, np.where(last >= 0, last, NO_DAY_INDEX)
    )


def _clock_deadlines(
    rule: DeadlineRule,
    view: View,
    calendar: WorkCalendar,
    subjects: np.ndarray,
    controls: Controls,
    t_pos,
    f_pos,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For subjects whose clock was touched between their trigger and fulfilment: the deadline of the clock
    in effect at the fulfilment, by the one home of clock controls (evaluate/clock.py: its array form, and
    `run_clock` itself where that form does not vouch): due instants (µs), last days (epoch days, -1 for
    none) and ok (False where the calendar lacks a year: left to the rule's evaluator)."""
    n = len(subjects)
    wanted = np.full(len(t_pos), -1, np.int64)
    wanted[subjects] = np.arange(n)
    inside = wanted[controls.key] >= 0
    rows, cpos = wanted[controls.key[inside]], controls.pos[inside]
    runs = np.argsort(rows, kind="stable")  # each subject's controls together, in view order
    rows, cpos = rows[runs], cpos[runs]
    flags = np.array(control_kinds(rule, view.types) + [0], np.int64)[view.type[cpos]]  # [-1]: no rule's type
    limit = Period.parse(rule.extend.max).amount if rule.extend else 0
    asked = np.zeros(len(cpos), np.int64)
    if rule.extend:
        values = view.take("days", cpos).to_pylist()
        asked = np.array([max(min(asked_days(v, limit), limit), -1) for v in values], np.int64)  # as granted
    t, f = t_pos[subjects], f_pos[subjects]
    due, last, ok = clock_deadlines(
        rule,
        calendar,
        view.instant[t],
        view.day[t],
        rows,
        flags,
        view.instant[cpos],
        view.day[cpos],
        asked,
        view.instant[f],
        view.day[f],
    )
    for k in np.flatnonzero(~ok).tolist():  # the scalar form, for what the array form does not vouch for
        mine = cpos[np.searchsorted(rows, k) : np.searchsorted(rows, k, side="right")]
        times = _datetimes(view.instant[np.concatenate([[t[k], f[k]], mine])])
        marks = [
            Mark(moment, view.types[c], i, d)
            for moment, c, i, d in zip(
                times[2:],
                view.type[mine].tolist(),
                view.frame.values("id", view.order[mine]),
                view.take("days", mine).to_pylist() if rule.extend else [None] * len(mine),
            )
        ]
        clock = run_clock(rule, calendar, times[0], marks)
        if clock.late_extensions:  # a finding of its own: left to the rule's evaluator
            continue
        end_pause(clock, times[1])  # the fulfilment ends the pause (DeadlineEvaluator._close)
        try:
            found = deadline(rule, calendar, clock)
        except CalendarCoverageError:
            continue
        due[k] = (found.due - EPOCH) // dt.timedelta(microseconds=1)
        last[k] = found.last_day.toordinal() - ORDINAL_1970 if found.last_day else -1
        ok[k] = True
    return due, last, ok


def _datetimes(instants: np.ndarray) -> list[dt.datetime]:
    """Instants (µs since the epoch) of plain rows as Asia/Shanghai datetimes (UTC+8 throughout since 1992)."""
    local = (
        (np.asarray(instants, np.int64) + 8 * 3_600_000_000).astype("datetime64[us]").astype(object).tolist()
    )
    return [moment.replace(tzinfo=SHANGHAI) for moment in local]


def _fields(loaded: LoadedRule, view: View) -> np.ndarray:
    rule: FieldsRule = loaded.rule
    related = view.of_types(rule.event_types())
    if (rule.link and rule.link.to == rule.event) or view.odd[related].any():
        return related
    rows = np.flatnonzero(view.type == view.code(rule.event))
    keep_rows = _matches(loaded, view, rows) & _effective(loaded, view.day[rows])
    flagged = np.zeros(len(rows), bool)
    for name in rule.fields:  # attributes only: core fields never count as given (see FieldsEvaluator)
        if name in CORE_FIELDS or name in ("tz", "attrs"):
            flagged[:] = True
        else:
            flagged |= ~pc.is_valid(view.take(name, rows)).to_numpy(zero_copy_only=False)
    keep = np.zeros(view.n, bool)
    if rule.link:
        to_rows = np.flatnonzero(view.type == view.code(rule.link.to))
        targets = view.take("subject", to_rows)
        wanted = (
            view.take(rule.link.field, rows)
            if rule.link.field not in CORE_FIELDS
            else pa.nulls(len(rows), pa.string())
        )
        linked = pc.fill_null(pc.is_in(wanted, value_set=targets), False).to_numpy(zero_copy_only=False)
        flagged |= ~linked
        kept_rows = keep_rows & flagged
        needed = wanted.filter(pa.array(kept_rows)) if len(rows) else wanted
        keep[to_rows] = pc.fill_null(pc.is_in(targets, value_set=pc.drop_null(needed)), False).to_numpy(
            zero_copy_only=False
        )
    keep[rows[keep_rows & flagged]] = True
    return keep


def _first_per_body(loaded: LoadedRule, view: View) -> np.ndarray:
    """BodyTracker notes only the first matching event of each body."""
    everything = np.arange(view.n)
    matched = np.flatnonzero(_matches(loaded, view, everything))
    _, first = np.unique(view.encoded("body")[1][matched], return_index=True)
    out = np.zeros(view.n, bool)
    out[matched[first]] = True
    return out


def screen(
    ruleset: RuleSet, view: View, ctx: Context
) -> list[tuple[np.ndarray, np.ndarray | None, Verdicts | None]]:
    """Per rule (in ruleset order): the events it must be fed, those it must observe (or None), and the
    obligations judged here whose findings are still to be written (or None)."""
    out = []
    for loaded in ruleset.rules:
        rule, verdicts = loaded.rule, None
        if isinstance(rule, DeadlineRule):
            feed, verdicts = _deadline(loaded, view, ctx)
        elif isinstance(rule, FieldsRule):
            feed = _fields(loaded, view)
        else:
            feed = view.of_types(rule.event_types())
        per_body = isinstance(rule, (CountRule, DueByRule, RatioRule)) or (
            isinstance(rule, RecurrenceRule) and rule.open is None
        )
        observe = _first_per_body(loaded, view) if per_body else None
        out.append((feed, observe, verdicts))
    return out


def active_years(view: View) -> dict[str, set[int]]:
    """Body -> years with any event, as the evaluators count them (Evaluation.feed)."""
    values, codes = view.encoded("body")
    pairs = np.unique(codes * 100_000 + view.year)
    names = values.to_pylist()
    out: dict[str, set[int]] = {}
    for code, year in zip((pairs // 100_000).tolist(), (pairs % 100_000).tolist()):
        out.setdefault(names[code], set()).add(year)
    return out
