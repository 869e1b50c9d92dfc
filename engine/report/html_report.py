"""`--format html`: one self-contained page an officer can open or e-mail (no scripts, no external files).

Summary counts, the on-time rates per body and department (every obligation judged, the figures the
workbench's 总览 shows: engine/tally.py), findings by department and by rule, a chart by month of the
deadline (inline SVG), what falls due within the warning window, and every finding with its explanation.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from ..model.findings import SEVERITY_ZH, STATUS_ZH, TASK_STATE_ZH, event_key
from .table import ORDER, STATE_ZH, reading_order

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:24px}.overdue b,.late b{color:#b00020}.due_soon b{color:#b26a00}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.chart{width:100%;max-width:1150px;height:auto}figcaption{font-size:13px}
figcaption .key{margin-right:12px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}details{margin:2px 0}pre{white-space:pre-wrap;font-size:13px;background:#fafafa;padding:6px}
.waived{color:#666}.muted{color:#666;font-size:13px}.notice{background:#fff7e0;border-left:4px solid #e0a000;padding:6px 10px}
ul{margin:0;padding-left:18px}.task.overdue,.task.late{color:#b00020}.task.due_soon{color:#b26a00}.task.on_time{color:#2e7d32}
@media (max-width:600px){body{margin:8px}.card{min-width:80px;padding:6px 10px}.card b{font-size:18px}
table{display:block;overflow-x:auto;font-size:13px}}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}.card{border-color:#999}}
"""


def _table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _chart(report, findings) -> str:
    """Obligations (or, when the audit counted none, findings) by the month of their deadline's last day,
    every month on the axis (engine/web/charts.py), as the workbench draws them."""
    from ..tally import CLASS_OF
    from ..web.charts import month_bars

    if report.obligations:
        return month_bars(report.obligations.by_month(), label="按到期月份统计的义务数")
    months: dict[str, dict[str, int]] = {}
    for f in findings:
        if f.deadline_text:
            month = months.setdefault(f.deadline_text[:7], {})
            kind = CLASS_OF.get(f.status, "late")
            month[kind] = month.get(kind, 0) + 1
    return month_bars(months, label="按到期月份统计的问题数")


def _finding_rows(report, findings) -> list[list[str]]:
    by_event: dict[tuple, list] = {}
    for f in findings:
        key = event_key(f.to_json())
        if key[1]:
            by_event.setdefault(key, []).append(f)
    rows = []
    for f in findings:
        life = (report.lifecycle.get(f.fingerprint) or {}).get("state")
        waiver = report.waived(f)
        steps = escape("\n".join(f.explanation))
        detail = (
            f"{escape(f.message)}<details><summary>计算过程与依据</summary><pre>{steps}</pre>"
            f"<p>{escape(f.source.get('document', ''))} {escape(f.source.get('article', ''))}："
            f"{escape(f.source.get('text', ''))}</p></details>"
        )
        others = [o for o in by_event.get(event_key(f.to_json()), []) if o is not f]
        if others:  # the national and the local rule on the same request or document
            detail += (
                '<p class="same-event">同一事件的其他结论：'
                + "；".join(
                    f"{escape(o.rule)}（{escape(STATUS_ZH.get(o.status, o.status))}）" for o in others
                )
                + "</p>"
            )
        if waiver:
            detail += f'<p class="waived">已豁免：{escape(waiver["by"])}，{escape(waiver["reason"])}</p>'
        rows.append(
            [
                escape(STATUS_ZH.get(f.status, f.status)),
                escape(SEVERITY_ZH.get(f.severity, f.severity)),
                escape(f.deadline_text or "-"),
                escape(f.subject),
                escape(f.body),
                escape(f.department or "-"),
                escape(f.rule),
                detail,
                escape(STATE_ZH.get(life, "-")),
            ]
        )
    return rows


def _task_board(report) -> str:
    """Work-plan tasks grouped by their first lead (or responsible) department."""
    if not report.task_board:
        return ""
    by_dept: dict[tuple[str, str], list[dict]] = {}
    for card in report.task_board:
        by_dept.setdefault((card["body"], card["department"]), []).append(card)
    rows = []
    for (body, dept), cards in sorted(by_dept.items()):
        counts = Counter(c["status"] for c in cards)
        items = "".join(
            f'<li class="task {escape(c["status"])}" data-task="{escape(c["id"])}">{escape(c["item"])} '
            f"{escape(c['title'][:40])} — {escape(TASK_STATE_ZH.get(c['status'], c['status']))}"
            f"{'（' + escape(c['due']) + '）' if c['due'] else ''}</li>"
            for c in cards
        )
        summary = "，".join(f"{TASK_STATE_ZH.get(k, k)} {v}" for k, v in sorted(counts.items()))
        rows.append([escape(body), escape(dept), str(len(cards)), escape(summary), f"<ul>{items}</ul>"])
    return "<h2>任务看板（按部门）</h2>" + _table(
        ["机关", "部门", "任务数", "状态", "任务"], rows, "task-board"
    )


RATE_HEADERS = [
    "机关",
    "部门",
    "已判定",
    "按期",
    "逾期完成",
    "逾期未完成",
    "未到期",
    "待定",
    "按期率（按期/已判定）",
]


def _rate_cells(t) -> list[str]:
    return [str(n) for n in (t.judged, t.on_time, t.late, t.overdue, t.open, t.undetermined)] + [
        escape(t.rate_text)
    ]


def _on_time_rates(report) -> str:
    """Every obligation judged, per body (合计) and department, with the on-time rate and its denominator."""
    counts = report.obligations
    if not counts:
        return ""
    total = counts.total()
    cards = (
        f'<div class="cards" id="on-time"><div class="card" data-class="judged"><b>{total.judged}</b>已判定义务</div>'
        f'<div class="card" data-class="on_time"><b>{total.on_time}</b>按期/合规</div>'
        f'<div class="card late" data-class="late"><b>{total.late}</b>逾期完成/不合规</div>'
        f'<div class="card overdue" data-class="overdue"><b>{total.overdue}</b>逾期未完成</div>'
        f'<div class="card" data-class="open"><b>{total.open}</b>未到期</div>'
        f'<div class="card" data-class="rate"><b>{escape(total.rate_text)}</b>按期率</div></div>'
    )
    departments = counts.by(lambda k: (k[0], k[1] or "（未填）"))
    rows = []
    for body, t in sorted(counts.by(lambda k: k[0]).items()):
        rows.append([f"<b>{escape(body)}</b>", "合计", *_rate_cells(t)])
        rows += [
            [escape(b), escape(d), *_rate_cells(dt_)]
            for (b, d), dt_ in sorted(departments.items())
            if b == body
        ]
    return (
        "<h2>按期率（按期完成/已判定义务）</h2>"
        '<p class="muted">已判定 = 按期 + 逾期完成 + 逾期未完成；未到期与待定（等待调休安排）的义务不计入分母。</p>'
        + cards
        + _table(RATE_HEADERS, rows, "on-time-rates")
    )


def _rolled_up(report) -> str:
    """Findings of subordinate bodies under their parent (packs' `bodies:`); nothing when there are none."""
    rows = [
        [escape(parent), escape(body), str(n)]
        for parent, bodies in report.rolled_up()
        for body, n in bodies.items()
    ]
    return (
        "<h2>下级机关汇总</h2>" + _table(["上级机关", "下级机关", "问题数"], rows, "rolled-up")
        if rows
        else ""
    )


def write(report, stream) -> None:
    findings = sorted(
        report.findings,
        key=reading_order,
    )
    counts = report.counts()
    cards = [f'<div class="card total" data-status="total"><b>{len(findings)}</b>问题总数</div>']
    cards += [
        f'<div class="card {s}" data-status="{s}"><b>{counts[s]}</b>{STATUS_ZH[s]}</div>'
        for s in ORDER
        if counts.get(s)
    ]
    if report.run_id is not None:
        lc = report.lifecycle_counts()
        cards += [
            f'<div class="card" data-status="{k}"><b>{v}</b>{STATE_ZH.get(k, "已豁免")}</div>'
            for k, v in lc.items()
        ]
    by_dept = Counter((f.body, f.department or "（未填）") for f in findings)
    by_rule = Counter((f.rule, f.title) for f in findings)
    due = [f for f in findings if f.status == "due_soon"]
    sections = [
        f'<h1>政务公开时限审计报告</h1><p class="muted">截至 {report.as_of:%Y-%m-%d %H:%M}（Asia/Shanghai） · '
        f"规则版本 {escape(report.rules_revision)} · 日历 {escape(report.calendar)} · 读取事件 {report.events_read} · "
        f"拒收 {report.events_rejected}</p>",
        "".join(f'<p class="notice">{escape(note)}</p>' for note in report.headline_notes()),
        f'<p class="muted" id="run-kind">{escape(report.run_kind_text())}</p>' if report.run_kind else "",
        '<h2>汇总</h2><div class="cards" id="summary">' + "".join(cards) + "</div>",
        _on_time_rates(report),
        "<h2>按部门</h2>"
        + _table(
            ["机关", "部门", "问题数"],
            [[escape(b), escape(d), str(n)] for (b, d), n in by_dept.most_common()],
            "by-department",
        ),
        _rolled_up(report),
        "<h2>按规则</h2>"
        + _table(
            ["规则", "义务", "问题数"],
            [[escape(r), escape(t), str(n)] for (r, t), n in by_rule.most_common()],
            "by-rule",
        ),
        "<h2>按到期月份</h2>" + _chart(report, findings),
        f"<h2>即将到期（{escape(report.warn_within)}内）</h2>"
        + (
            _table(
                ["期限", "对象", "机关", "部门", "义务"],
                [
                    [
                        escape(f.deadline_text or ""),
                        escape(f.subject),
                        escape(f.body),
                        escape(f.department or "-"),
                        escape(f.title),
                    ]
                    for f in due
                ],
                "due-soon",
            )
            if due
            else '<p class="muted">没有即将到期的事项。</p>'
        ),
        _task_board(report),
        "<h2>问题清单</h2>"
        + _table(
            ["状态", "级别", "期限", "对象", "机关", "部门", "规则", "说明", "跟踪"],
            _finding_rows(report, findings),
            "findings",
        ),
    ]
    if report.resolved:
        sections.append(
            "<h2>本次已解决</h2>"
            + _table(
                ["对象", "规则", "首次发现"],
                [
                    [escape(i["subject"]), escape(i["rule"]), escape(i["lifecycle"]["first_seen"][:10])]
                    for i in report.resolved
                ],
                "resolved",
            )
        )
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>政务公开时限审计报告 {report.as_of:%Y-%m-%d}</title><style>{CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )
    stream.write(page.encode("utf-8"))
