"""Which events each rule must judge one by one; the rest are settled here, in columns.

The screen only ever sets aside what provably ends quiet (on time, or no obligation at all) when the
row-by-row evaluator runs; anything it cannot vouch for is kept, so the findings are the same:

- deadline: a subject (key) none of whose triggers matches the rule says nothing; an optional rule's
  subject without a fulfilment says nothing; a subject with exactly one matching trigger and one later
  fulfilment is set aside when the fulfilment beats the deadline, computed by `WorkCalendar.due_array`
  (the same arithmetic as the scalar one, a property test keeps them equal), if the clock controls
  between the two are of a shape `_clock_start` knows (none; ending in a restart; one extension; one
  pause and its resume);
- required fields: an event that carries its fields and links to an existing subject;
- counts and yearly rules watch only the first matching event of each body; other kinds keep all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..calendar import Period, WorkCalendar
from ..model.events import CORE_FIELDS
from ..model.rules import CountRule, DeadlineRule, DueByRule, FieldsRule
from ..ruleset.loader import LoadedRule, RuleSet
from ..ruleset.match import compile_mask
from .frame import ORDINAL_1970, Frame


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
        self._columns: dict[str, pa.Array] = {}
        self._encoded: dict[str, tuple[pa.Array, np.ndarray]] = {}
        codes = pc.index_in(self.frame.column("type"), value_set=pa.array(self.types, pa.string()))
        self.type = codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)[self.order]

    def column(self, name: str) -> pa.Array:
        if name not in self._columns:
            self._columns[name] = self.frame.column(name).take(pa.array(self.order, pa.int64()))
        return self._columns[name]

    def encoded(self, name: str) -> tuple[pa.Array, np.ndarray]:
        """A column as its distinct values (null last, for absent) and each event's index into them, in
        evaluation order: tests and keys work on the few distinct values, not on every row's text."""
        if name not in self._encoded:
            enc = self.frame.column(name).dictionary_encode()
            values = pa.concat_arrays([enc.dictionary, pa.nulls(1, pa.string())])
            codes = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
            self._encoded[name] = (values, codes[self.order])
        return self._encoded[name]

    def code(self, event_type: str) -> int:
        return self.types.index(event_type) if event_type in self.types else -2

    def of_types(self, types) -> np.ndarray:
        return np.isin(self.type, [self.code(t) for t in types])


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


def _deadline(loaded: LoadedRule, view: View, calendar: WorkCalendar) -> np.ndarray:
    rule: DeadlineRule = loaded.rule
    related = view.of_types(rule.event_types())
    if rule.trigger == rule.fulfil:
        return related
    idx = np.flatnonzero(related)
    typ = view.type[idx]
    is_t, is_f = typ == view.code(rule.trigger), typ == view.code(rule.fulfil)
    if rule.fulfil_link:  # a fulfilment names its subject in an attribute: keys are texts of two columns
        taken = pa.array(idx, pa.int64())
        key_text = view.column("subject").take(taken)
        link = view.column(rule.fulfil_link).take(taken)
        key_text = pc.if_else(pa.array(is_f) if len(idx) else pa.array([], pa.bool_()),
                              pc.coalesce(link, key_text), key_text)
        key = key_text.dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        key = view.encoded("subject")[1][idx]
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
    one = (n_t == 1) & (n_f == 1) & (n_m == 1) & (n_odd == 0)
    if one.any():
        settled |= _fulfilled_on_time(rule, view, calendar, idx, key, is_t, is_f, one)
    keep = np.zeros(view.n, bool)
    keep[idx[~settled[key]]] = True
    return keep


def _fulfilled_on_time(rule: DeadlineRule, view: View, calendar: WorkCalendar, idx, key, is_t, is_f, one
                       ) -> np.ndarray:
    """Per subject: one matching trigger, one later fulfilment before the deadline, clock controls between
    them of a shape `_clock_start` knows."""
    size = len(one)
    t_pos, f_pos = np.full(size, -1, np.int64), np.full(size, -1, np.int64)
    t_pos[key[is_t]], f_pos[key[is_f]] = idx[is_t], idx[is_f]
    start, extra, ok = _clock_start(rule, view, calendar, idx, key, is_t, is_f, one, t_pos, f_pos)
    simple = np.flatnonzero(one & ok & (t_pos < f_pos))
    pf, start, extra = f_pos[simple], start[simple], extra[simple]
    conventions = rule.counting.conventions()
    out = np.zeros(size, bool)
    for amount in np.unique(extra).tolist():  # usually one or two: none, or a whole extension
        same = extra == amount
        rows, done = start[same], pf[same]
        due, last, good = calendar.due_array(view.instant[rows], view.day[rows],
                                             Period(rule.period.amount + amount, rule.period.unit), conventions)
        on_time = (view.instant[done] < due) | (view.date_only[done] & (last >= 0) & (view.day[done] <= last))
        out[simple[same][good & on_time]] = True
    return out


def _clock_start(rule: DeadlineRule, view: View, calendar: WorkCalendar, idx, key, is_t, is_f, one, t_pos, f_pos):
    """For subjects with one matching trigger and one fulfilment (`one`): the row the period runs from at
    the fulfilment and the units added to it, as DeadlineEvaluator.feed leaves its clock, per subject.

    Controls outside (trigger, fulfilment) do nothing. Handled inside: none; any, the last of them a restart
    and no extension (a restart clears pauses); one extension with a plain whole number of `days`; one
    pause and its resume that began before the deadline (in days or working days). ok is False for
    any other shape: those subjects are judged row by row.
    """
    size = len(one)
    start, extra = t_pos.copy(), np.zeros(size, np.int64)
    controls = np.flatnonzero(~(is_t | is_f))
    ck, cpos = key[controls], idx[controls]
    inside = one[ck] & (t_pos[ck] < cpos) & (cpos < f_pos[ck])
    ck, cpos = ck[inside], cpos[inside]
    n = np.bincount(ck, minlength=size)
    ok = one & (n == 0)
    if not len(ck):
        return start, extra, ok
    none = -100  # a code no row has
    ctype = view.type[cpos]
    last, first = np.full(size, -1, np.int64), np.full(size, view.n, np.int64)
    np.maximum.at(last, ck, cpos)
    np.minimum.at(first, ck, cpos)
    last_type = np.where(last >= 0, view.type[np.maximum(last, 0)], none)
    first_type = np.where(first < view.n, view.type[np.minimum(first, view.n - 1)], none)
    restart = view.code(rule.restart) if rule.restart else none
    extend = view.code(rule.extend.on) if rule.extend else none
    n_ext = np.bincount(ck[ctype == extend], minlength=size)
    restarted = one & (n > 0) & (last_type == restart) & (n_ext == 0)
    start[restarted] = last[restarted]
    ok |= restarted
    if rule.extend:
        lone = np.flatnonzero(one & (n == 1) & (last_type == extend) & (last_type != restart))
        days = view.column("days").take(pa.array(last[lone], pa.int64()))
        plain = pc.fill_null(pc.match_substring_regex(days, r"^[0-9]{1,9}$"), False).to_numpy(zero_copy_only=False)
        asked = np.array([int(x) if good else 0 for x, good in zip(days.to_pylist(), plain.tolist())], np.int64)
        extra[lone] = np.minimum(asked, Period.parse(rule.extend.max).amount)
        ok[lone[plain]] = True
    if rule.pause and rule.period.unit in ("wd", "d"):
        on = [view.code(p.on) for p in rule.pause if p.on != rule.restart]
        resume = [view.code(p.resume) for p in rule.pause]
        pair = np.flatnonzero(one & (n == 2) & np.isin(first_type, on) & np.isin(last_type, resume)
                              & (last_type != restart) & (first_type != restart))
        t, b, e = t_pos[pair], first[pair], last[pair]
        due, _, good = calendar.due_array(view.instant[t], view.day[t], rule.period, rule.counting.conventions())
        good &= view.instant[b] < due  # a pause that begins at or after the deadline does not pause
        if rule.period.unit == "wd":
            skipped, covered = calendar.working_days_between_array(view.day[b], view.day[e])
            good &= covered
        else:
            skipped = view.day[e] - view.day[b]
        extra[pair] = np.maximum(skipped, 0)
        ok[pair[good]] = True
    return start, extra, ok


def _fields(loaded: LoadedRule, view: View) -> np.ndarray:
    rule: FieldsRule = loaded.rule
    related = view.of_types(rule.event_types())
    if (rule.link and rule.link.to == rule.event) or view.odd[related].any():
        return related
    rows = np.flatnonzero(view.type == view.code(rule.event))
    taken = pa.array(rows, pa.int64())
    keep_rows = _matches(loaded, view, rows) & _effective(loaded, view.day[rows])
    flagged = np.zeros(len(rows), bool)
    for name in rule.fields:  # attributes only: core fields never count as given (see FieldsEvaluator)
        if name in CORE_FIELDS or name in ("tz", "attrs"):
            flagged[:] = True
        else:
            flagged |= ~pc.is_valid(view.column(name).take(taken)).to_numpy(zero_copy_only=False)
    keep = np.zeros(view.n, bool)
    if rule.link:
        to_rows = pa.array(np.flatnonzero(view.type == view.code(rule.link.to)), pa.int64())
        targets = view.column("subject").take(to_rows)
        wanted = view.column(rule.link.field).take(taken) if rule.link.field not in CORE_FIELDS \
            else pa.nulls(len(rows), pa.string())
        linked = pc.fill_null(pc.is_in(wanted, value_set=targets), False).to_numpy(zero_copy_only=False)
        flagged |= ~linked
        kept_rows = keep_rows & flagged
        needed = wanted.filter(pa.array(kept_rows)) if len(rows) else wanted
        keep[to_rows.to_numpy()] = pc.fill_null(pc.is_in(targets, value_set=pc.drop_null(needed)),
                                                False).to_numpy(zero_copy_only=False)
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


def screen(ruleset: RuleSet, view: View, calendar: WorkCalendar) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per rule (in ruleset order): the events it must be fed, and those it must observe (or None)."""
    out = []
    for loaded in ruleset.rules:
        rule = loaded.rule
        if isinstance(rule, DeadlineRule):
            feed = _deadline(loaded, view, calendar)
        elif isinstance(rule, FieldsRule):
            feed = _fields(loaded, view)
        else:
            feed = view.of_types(rule.event_types())
        observe = _first_per_body(loaded, view) if isinstance(rule, (CountRule, DueByRule)) else None
        out.append((feed, observe))
    return out


def active_years(view: View) -> dict[str, set[int]]:
    """Body -> years with any event, as the row-by-row evaluator collects them."""
    values, codes = view.encoded("body")
    pairs = np.unique(codes * 100_000 + view.year)
    names = values.to_pylist()
    out: dict[str, set[int]] = {}
    for code, year in zip((pairs // 100_000).tolist(), (pairs % 100_000).tolist()):
        out.setdefault(names[code], set()).add(year)
    return out
