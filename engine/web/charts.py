"""Charts drawn on the server as SVG (no script, prints as it shows): stacked bars by month on a
continuous axis, every month present even when nothing happened in it."""

from __future__ import annotations

from html import escape

from ..tally import month_range

SERIES = (
    ("on_time", "按期/合规", "#2e7d32"),
    ("late", "逾期完成/不合规", "#e07b00"),
    ("overdue", "逾期未完成", "#b00020"),
    ("open", "未到期", "#8a9bb0"),
)


def month_bars(
    counts: dict[str, dict[str, int]],
    first: str | None = None,
    last: str | None = None,
    series=SERIES,
    label: str = "按期限月份统计",
) -> str:
    """counts: {"2024-03": {"on_time": 5, "late": 1}, ...}; the axis runs from first (or the earliest
    month) to last (or the latest), one bar per month. Scales with its container (viewBox)."""
    months = sorted(counts)
    if not months and not (first and last):
        return '<p class="muted">没有带期限的事项。</p>'
    start, end = (first or months[0]), (last or months[-1])
    axis = [
        f"{y:04d}-{m:02d}"
        for y, m in month_range((int(start[:4]), int(start[5:7])), (int(end[:4]), int(end[5:7])))
    ]
    peak = max([sum(counts.get(m, {}).get(k, 0) for k, _, _ in series) for m in axis] + [1])
    # a fixed drawing width, so that text keeps its size however many months there are: each month's slot
    # narrows instead; every month has its tick, and its name when there is room (else each January's year)
    height, left, top, width = 180, 36, 16, 1150
    slot = (width - left - 10) / len(axis)
    bar = slot * 0.75
    out = [
        f'<svg class="chart" id="by-month" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 70}" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{escape(label)}">'
    ]
    for tick in (0, peak // 2, peak):
        y = top + height - round(height * tick / peak)
        out.append(
            f'<line x1="{left - 4}" x2="{width}" y1="{y}" y2="{y}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4}" font-size="11" text-anchor="end">{tick}</text>'
        )
    for i, month in enumerate(axis):
        x = left + i * slot
        y = top + height
        values = counts.get(month, {})
        total = 0
        for key, name, colour in series:
            n = values.get(key, 0)
            if not n:
                continue
            h = height * n / peak
            y -= h
            total += n
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" '
                f'data-month="{month}" data-series="{key}"><title>{month} {escape(name)}：{n}</title></rect>'
            )
        centre = x + bar / 2
        if total and slot >= 18:
            out.append(
                f'<text x="{centre:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle">{total}</text>'
            )
        base = top + height
        out.append(
            f'<line class="tick" data-month="{month}" data-total="{total}" x1="{centre:.1f}" x2="{centre:.1f}" '
            f'y1="{base}" y2="{base + (6 if month.endswith("-01") else 3)}" stroke="#888"/>'
        )
        if slot >= 26:
            out.append(
                f'<text class="month" x="{centre:.1f}" y="{base + 14}" font-size="11" text-anchor="end" '
                f'transform="rotate(-50 {centre:.1f} {base + 14})">{month}</text>'
            )
        elif month.endswith("-01") or i == 0:
            out.append(f'<text class="year" x="{x:.1f}" y="{base + 20}" font-size="12">{month[:4]}年</text>')
    out.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{c}"></i>{escape(n)}</span>' for k, n, c in series
    )
    return f'<figure class="chart-box">{"".join(out)}<figcaption>{legend}</figcaption></figure>'
