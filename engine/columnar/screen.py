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

from ..calendar import WorkCalendar
from ..evaluate.context import Context, local_date
from ..evaluate.verdict import at_least_one, due_soon, overdue
from ..model.events import CORE_FIELDS
from ..model.rules import CountRule, DeadlineRule, DueByRule, FieldsRule, RatioRule, RecurrenceRule
from ..ruleset.loader import LoadedRule, RuleSet
from ..ruleset.match import compile_mask
from .clocks import Controls, fulfilled_on_time, on_time_rows
from .counted import SetAside
from .frame import EPOCH, ORDINAL_1970
from .view import View


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
        settled |= fulfilled_on_time(rule, view, ctx.calendar, one, controls, t_pos, f_pos, set_aside)
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
    # late (on time is left to clocks.fulfilled_on_time): "by" in the rule's unit from the last day to the
    # fulfilment's day (Context.judge_done)
    f = np.maximum(d, 0)
    late_by, by_ok = _units(cal, last, view.day[f], unit)
    status[done], amount[done] = 0, at_least_one(late_by[done])
    ok &= ~done | (by_ok & ~on_time_rows(view, f, due, last))
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
