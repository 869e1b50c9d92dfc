"""Obligations the screen settles in columns, counted as the row evaluators count theirs.

The screen sets aside the subjects whose fulfilment beat the deadline (on time) and judges some still
open without a finding (pending): nothing is built for them, but each is an obligation judged, so it is
counted here by (body, department, rule, month of the deadline) into the run's `ObligationCounts`
(engine/tally.py), as `Context.judge_done` / `judge_open` count those they settle. The month is the one
`format_due` writes: a deadline at 24:00 is its last day's.
"""

from __future__ import annotations

import numpy as np

from ..tally import ObligationCounts

_DAY_US = 86_400_000_000
_UTC8_US = 8 * 3_600_000_000  # plain rows are from 1992 on, when Shanghai was UTC+8 throughout


class SetAside:
    """Counts one rule's settled obligations: add(trigger rows of the view, due µs, last epoch days)."""

    def __init__(self, counts: ObligationCounts, rule_id: str, view):
        self.counts, self.rule_id, self.view = counts, rule_id, view

    def add(self, trigger_rows: np.ndarray, due: np.ndarray, last: np.ndarray, status: str) -> None:
        if not len(trigger_rows):
            return
        bodies, body_codes = self.view.encoded("body")
        departments, department_codes = self.view.encoded("department")
        months = deadline_months(np.asarray(due, np.int64), np.asarray(last, np.int64))
        keys = np.stack([body_codes[trigger_rows], department_codes[trigger_rows], months], axis=1)
        distinct, n = np.unique(keys, axis=0, return_counts=True)
        body_names, department_names = bodies.to_pylist(), departments.to_pylist()
        for (body, department, month), count in zip(distinct.tolist(), n.tolist()):
            text = str(np.datetime64(month, "M"))
            self.counts.add(body_names[body], department_names[department], self.rule_id, text, status, count)


def deadline_months(due: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of deadlines (due instants in µs, last days in epoch days, -1 for none)."""
    local = due + _UTC8_US
    day = local // _DAY_US
    at_midnight_after = (last >= 0) & (local % _DAY_US == 0) & (day > last)
    day = np.where(at_midnight_after, last, day)
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
