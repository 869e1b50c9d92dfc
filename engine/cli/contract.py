"""The exit-code contract a scheduler relies on, in one place.

0  nothing at or above --fail-on was found, and the audit judged its input
1  findings at or above --fail-on (alert someone: the audit ran)
2  bad input or configuration, or an audit that judged too little: more than --max-rejected of the records
   rejected, or no event evaluated at all (page the maintainer: the audit did not really run)
3  an unexpected failure (a bug): one line on stderr, the traceback in a crash log whose path it prints
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

from ..errors import ShixianError

CLEAN, FOUND, BAD_INPUT, CRASHED = 0, 1, 2, 3


def max_rejected(text: str) -> float:
    """'1%' or '0.01' -> 0.01 (a share of the records read); '0' -> no reject tolerated."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text or "")
    if not found:
        raise ShixianError(f"--max-rejected {text!r}: 应写成百分比或比例，如 1% 或 0.01 (a share, e.g. 1%)")
    share = float(found.group(1)) / (100 if found.group(2) else 1)
    if share > 1:
        raise ShixianError(f"--max-rejected {text!r}: 不能超过 100% (at most 100%)")
    return share


def too_many_rejected(read: int, rejected: int, share: float, rejects_file) -> str | None:
    """Why an input with this many rejected records must not pass as read, or None."""
    if read and rejected > share * read:
        where = f"；被拒记录见 {rejects_file}" if rejects_file else ""
        return (
            f"输入有 {rejected}/{read} 条记录被拒（{rejected / read:.1%}，超过 --max-rejected {share:.1%}），"
            f"结果不可信{where} (too many rejected records)"
        )
    return None


def judged_too_little(report, share: float) -> str | None:
    """Why a finished audit must not look green (one line, Chinese first), or None when it judged its input."""
    rejects = f"；被拒记录见 {report.rejects_file}" if report.rejects_file else ""
    too_many = too_many_rejected(report.events_read, report.events_rejected, share, report.rejects_file)
    if too_many:
        return too_many
    if report.events_evaluated == 0:
        return (
            f"没有评估任何事件（读入 {report.events_read} 条，被拒 {report.events_rejected} 条，"
            f"晚于 as-of {report.events_after_as_of} 条），审计没有判断任何内容{rejects} "
            f"(no event was evaluated)"
        )
    return None


def crash_log_dir() -> Path:
    return Path(os.environ.get("SHIXIAN_CRASH_DIR") or tempfile.gettempdir())


def report_crash(exc: BaseException) -> int:
    """Write the traceback to a crash log, print one line naming it, and return the crash exit code."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = crash_log_dir() / f"shixian-crash-{stamp}-{os.getpid()}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write(f"shixian {' '.join(sys.argv[1:])}\n")
            traceback.print_exception(exc, file=out)
        where = f"，详情见 {path}"
    except OSError:
        where = "（无法写入崩溃日志）"
    print(f"shixian: 内部错误 (internal error) {type(exc).__name__}: {exc}{where}", file=sys.stderr)
    return CRASHED
