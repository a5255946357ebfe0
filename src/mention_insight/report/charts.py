"""Inline SVG charts: no JavaScript, no network, just markup the report embeds.

Each function returns an ``<svg>`` string with a ``<title>`` for screen readers and
plain ``<rect>``/``<polyline>`` marks; the numbers behind each chart are in the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from .prose import label_name

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "visit_request": "#0072B2",
    "complaint": "#D55E00",
    "shared_info": "#E69F00",
    "thanks": "#009E73",
    "other": "#7a7a7a",
}
EXTRA = ("#CC79A7", "#56B4E9", "#000000", "#8c6d1f", "#004d40")


def colour(label: str, i: int = 0) -> str:
    return PALETTE.get(label, EXTRA[i % len(EXTRA)])


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else step * (int(value // step) + 1)
    return value * 1.1


def _legend(series: Sequence[str], x: int, y: int) -> str:
    parts = []
    for i, name in enumerate(series):
        xi = x + i * 130
        parts.append(
            f'<rect x="{xi}" y="{y - 9}" width="10" height="10" fill="{colour(name, i)}"/>'
            f'<text x="{xi + 14}" y="{y}" font-size="11">{escape(label_name(name))}</text>'
        )
    return "".join(parts)


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    bands: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    width=760,
    height=280,
) -> str:
    """One line per series over ``x_labels`` (e.g. labels per week); ``bands``: a shaded
    (low, high) interval around each point of a series."""
    left, right, top, bottom = 44, 16, 34, 52
    w, h = width - left - right, height - top - bottom
    bands = bands or {}
    highest = max((hi for b in bands.values() for _, hi in b), default=0)
    peak = _nice_max(max(highest, max((v for vals in series.values() for v in vals), default=0)))
    n = max(1, len(x_labels) - 1)
    out = [_open(title, width, height, _describe_lines(x_labels, series)), _axes(left, top, w, h, peak)]
    for i, lab in enumerate(x_labels):
        if len(x_labels) <= 16 or i % max(1, len(x_labels) // 12) == 0:
            x = left + w * i / n
            out.append(
                f'<text x="{x:.1f}" y="{top + h + 14}" font-size="10" text-anchor="end" transform="rotate(-35 {x:.1f} {top + h + 14})">{escape(lab)}</text>'
            )
    for name, band in bands.items():
        if name not in series or not band:
            continue
        upper = [f"{left + w * j / n:.1f},{top + h - h * hi / peak:.1f}" for j, (_, hi) in enumerate(band)]
        lower = [f"{left + w * j / n:.1f},{top + h - h * lo / peak:.1f}" for j, (lo, _) in enumerate(band)]
        colour_i = list(series).index(name)
        out.append(
            f'<polygon class="band" fill="{colour(name, colour_i)}" fill-opacity="0.15" stroke="none" '
            f'points="{" ".join(upper + lower[::-1])}"><title>{escape(name)}: 95% interval</title></polygon>'
        )
    for i, (name, vals) in enumerate(series.items()):
        pts = " ".join(f"{left + w * j / n:.1f},{top + h - h * v / peak:.1f}" for j, v in enumerate(vals))
        out.append(
            f'<polyline class="series" fill="none" stroke="{colour(name, i)}" stroke-width="2.2" points="{pts}"><title>{escape(label_name(name))}</title></polyline>'
        )
        for j, v in enumerate(vals):
            out.append(
                f'<circle cx="{left + w * j / n:.1f}" cy="{top + h - h * v / peak:.1f}" r="2.6" fill="{colour(name, i)}" data-series="{escape(name)}" data-x="{escape(x_labels[j])}" data-value="{v:g}"><title>{escape(label_name(name))} {escape(x_labels[j])}: {v:g}</title></circle>'
            )
    out.append(_legend(list(series), left, 28))
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    width=760,
    height=280,
    percent=False,
    errors: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series; ``errors``: a
    (low, high) interval drawn as a whisker on each bar of a series."""
    left, right, top, bottom = 44, 16, 34, 40
    w, h = width - left - right, height - top - bottom
    errors = errors or {}
    highest = max((hi for e in errors.values() for _, hi in e), default=0)
    peak = 100.0 if percent else _nice_max(max(highest, max((v for vals in series.values() for v in vals), default=0)))
    description = "; ".join(
        f"{label_name(name)}: " + ", ".join(f"{cat} {v:g}{'%' if percent else ''}" for cat, v in zip(categories, vals))
        for name, vals in series.items()
    )
    out = [_open(title, width, height, description), _axes(left, top, w, h, peak, percent)]
    k = max(1, len(series))
    slot = w / max(1, len(categories))
    bw = max(2.0, slot * 0.8 / k)
    for c, cat in enumerate(categories):
        x0 = left + slot * c + slot * 0.1
        out.append(
            f'<text x="{left + slot * (c + 0.5):.1f}" y="{top + h + 14}" font-size="10" text-anchor="middle">{escape(cat)}</text>'
        )
        for i, (name, vals) in enumerate(series.items()):
            v = vals[c]
            bh = h * v / peak if peak else 0
            out.append(
                f'<rect class="bar" x="{x0 + i * bw:.1f}" y="{top + h - bh:.1f}" width="{bw - 1:.1f}" height="{bh:.1f}" '
                f'fill="{colour(name, i)}"><title>{escape(label_name(name))} {escape(cat)}: {v:g}{"%" if percent else ""}</title></rect>'
            )
            if name in errors:
                lo, hi = errors[name][c]
                xm = x0 + i * bw + (bw - 1) / 2
                y_lo, y_hi = top + h - h * lo / peak, top + h - h * hi / peak
                out.append(
                    f'<path class="whisker" d="M{xm:.1f},{y_lo:.1f}V{y_hi:.1f}M{xm - 3:.1f},{y_lo:.1f}h6M{xm - 3:.1f},{y_hi:.1f}h6" '
                    f'stroke="#222" stroke-width="1.2" fill="none"><title>{escape(label_name(name))} {escape(cat)}: '
                    f"95% interval {lo:g} to {hi:g}</title></path>"
                )
    if len(series) > 1:
        out.append(_legend(list(series), left, 28))
    out.append("</svg>")
    return "".join(out)


def hbar_chart(title: str, items: Sequence[tuple[str, float]], *, width=360, bar_colour="#1b6ca8") -> str:
    """Horizontal bars, one per (name, value), e.g. mentions per weekday."""
    row, left = 18, 90
    height = 30 + row * len(items)
    peak = max((v for _, v in items), default=0) or 1
    w = width - left - 40
    out = [_open(title, width, height, ", ".join(f"{name} {v:g}" for name, v in items))]
    for i, (name, v) in enumerate(items):
        y = 24 + i * row
        bw = w * v / peak
        out.append(
            f'<text x="{left - 6}" y="{y + 11}" font-size="11" text-anchor="end">{escape(str(name))}</text>'
            f'<rect class="bar" x="{left}" y="{y}" width="{bw:.1f}" height="{row - 5}" fill="{bar_colour}"><title>{escape(str(name))}: {v:g}</title></rect>'
            f'<text x="{left + bw + 4:.1f}" y="{y + 11}" font-size="10">{v:g}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _describe_lines(x_labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    """A text alternative: each line's first, last and highest value."""
    parts = []
    for name, vals in series.items():
        if not vals:
            continue
        top = max(range(len(vals)), key=lambda j: vals[j])
        parts.append(
            f"{label_name(name)}: {vals[0]:g} in {x_labels[0]}, {vals[-1]:g} in {x_labels[-1]}, "
            f"highest {vals[top]:g} in {x_labels[top]}"
        )
    return "; ".join(parts)


def _open(title: str, width: int, height: int, description: str = "") -> str:
    label = f"{title}. {description}" if description else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="system-ui, sans-serif"><title>{escape(label)}</title>'
        f'<text x="{width / 2:.0f}" y="12" font-size="12" font-weight="600" text-anchor="middle" class="chart-title">{escape(title)}</text>'
    )


def _axes(left, top, w, h, peak, percent=False) -> str:
    parts = [f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#444"/>']
    for i in range(5):
        v = peak * i / 4
        y = top + h - h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{v:g}{"%" if percent else ""}</text>'
        )
    return "".join(parts)
