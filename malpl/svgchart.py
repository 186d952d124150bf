"""Charts as inline SVG text: deterministic, accessible, and escaped by construction.

Every piece of markup here is a :class:`markupsafe.Markup` template, and every
text from a goal file enters it through ``Markup.format``, which escapes it (after
:func:`malpl.text.visible`). Coordinates are rounded to one decimal so the same
data always gives the same bytes. The chart is ``role="img"`` with a ``<title>``
and a ``<desc>``; the page shows the same figures as a table beside it.

The website inlines these charts in its pages; the HTML report shows them as
``data:image/svg+xml`` pictures (:func:`picture`), which carry their own style and,
inside ``<img>``, can neither run script nor load anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from malpl import swedish
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.views import MeasureView

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 48, 36
SERIES_COLOR = "#1f4e79"
REFERENCE_COLORS = ("#5f5f5f", "#8a4b08", "#6a1b9a", "#00695c")
TARGET_COLOR = "#1b5e20"
_DASHES = ("6 4", "2 3", "8 3 2 3", "1 4")


@dataclass(frozen=True)
class Line:
    """One series: its label and (x key, value) points in x order."""

    label: str
    points: Sequence[tuple[str, float]]


def _t(text: str) -> Markup:
    """Text from a goal file or the configuration, escaped: the only way text enters."""
    return escape(visible(text))


def _n(value: float) -> str:
    return f"{value:.1f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values that cover ``low``–``high`` (a 1, 2 or 5 step times a power of ten)."""
    if high <= low:
        low, high = (low - 1, high + 1) if low == high else (high, low)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


# The page's stylesheet, for a chart that is a picture of its own (no text from a goal file).
_STYLE = ('<style>.grid{stroke:#d9d9d9;stroke-width:1}'
          '.tick,.legend,.unit{font-size:13px;fill:#333333;'
          'font-family:"DejaVu Sans",Arial,sans-serif}</style>')


def _frame(ident: str, title: str, desc: str, body: list[str], height: int = HEIGHT,
           styled: bool = False) -> Markup:
    i = _t(ident)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
                  f'role="img" aria-labelledby="{i}-t {i}-d" class="chart" '
                  'preserveAspectRatio="xMinYMin meet" focusable="false">'
                  f'<title id="{i}-t">{_t(title)}</title><desc id="{i}-d">{_t(desc)}</desc>'
                  + (_STYLE if styled else "") + "".join(body) + "</svg>")


def line_chart(ident: str, title: str, desc: str, unit: str, keys: Sequence[str],
               series: Line, references: Sequence[Line] = (),
               target: tuple[float, str] | None = None, styled: bool = False) -> Markup:
    """A line chart of ``series`` over ``keys`` with dashed reference lines and a dotted
    target line. ``ident`` makes the chart's element ids unique on its page; ``styled``
    puts the stylesheet inside, for a chart shown as a picture."""
    values = [v for line in (series, *references) for _, v in line.points]
    if target is not None:
        values.append(target[0])
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_of = {k: LEFT + (plot_w * (i + 0.5) / len(keys)) for i, k in enumerate(keys)}

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts: list[str] = []
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" y1="{_n(y(tick))}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_n(y(tick))}" class="grid"/><text x="{LEFT - 6}" '
                     f'y="{_n(y(tick) + 4)}" text-anchor="end" class="tick">'
                     f'{_t(swedish.number(tick))}</text>')
    step = max(1, math.ceil(len(keys) / 10))  # at most ten labels on the x axis
    for i, key in enumerate(keys):
        if i % step == 0 or i == len(keys) - 1:
            parts.append(f'<text x="{_n(x_of[key])}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle" class="tick">{_t(key)}</text>')
    if unit:
        parts.append(f'<text x="4" y="{TOP - 10}" class="unit">{_t(unit)}</text>')
    legend: list[tuple[str, str, str]] = [("Utfall", SERIES_COLOR, "")]
    for i, ref in enumerate(references):
        color, dash = REFERENCE_COLORS[i % len(REFERENCE_COLORS)], _DASHES[i % len(_DASHES)]
        legend.append((ref.label, color, dash))
        parts.append(_polyline(ref, x_of, y, color, dash, "ref"))
    if target is not None:
        ty = _n(y(target[0]))
        parts.append(f'<line x1="{LEFT}" y1="{ty}" x2="{WIDTH - RIGHT}" y2="{ty}" '
                     f'stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="1 3" '
                     'class="target"/>')
        legend.append((f"Mål {target[1]}", TARGET_COLOR, "1 3"))
    parts.append(_polyline(series, x_of, y, SERIES_COLOR, "", "series"))
    parts.append(_legend(legend))
    return _frame(ident, title, desc, parts, styled=styled)


def axis_keys(view: MeasureView) -> list[str]:
    """The periods of a measure and its reference series, in time order."""
    axis = {p.key: p.order for p in [*view.series, *(p for r in view.references
                                                     for p in r.series)]}
    return sorted(axis, key=axis.__getitem__)


def measure_chart(view: MeasureView, ident: str, desc: str, styled: bool = False) -> Markup:
    """A measure's series, its reference series and its target as a line chart."""
    target = ((view.target_value, swedish.with_unit(view.target_value, view.unit))
              if view.target_value is not None else None)
    return line_chart(
        ident, f"{view.name} ({view.unit})" if view.unit else view.name, desc, view.unit,
        axis_keys(view), Line("Utfall", [(p.key, p.value) for p in view.series]),
        [Line(r.label, [(p.key, p.value) for p in r.series]) for r in view.references],
        target, styled=styled)


def picture(view: MeasureView, ident: str, desc: str) -> bytes:
    """A measure's chart as an SVG file, with its own style: for an ``<img>``."""
    return str(measure_chart(view, ident, desc, styled=True)).encode("utf-8")


# Below, plain f-strings build the marks: only numbers, this module's own colours and
# dashes, and text through _t (escaped) go into them.

def _polyline(line: Line, x_of: dict[str, float], y, color: str, dash: str, kind: str) -> str:
    points = [(_n(x_of[k]), _n(y(v))) for k, v in line.points]
    coords = " ".join(f"{x},{yy}" for x, yy in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    radius = 4 if kind == "series" else 3
    marks = "".join(f'<circle cx="{x}" cy="{yy}" r="{radius}" fill="{color}"/>'
                    for x, yy in points)
    return (f'<polyline points="{coords}" fill="none" stroke="{color}" '
            f'stroke-width="{3 if kind == "series" else 2}"{dashed} class="{kind}"/>{marks}')


def _legend(entries: list[tuple[str, str, str]]) -> str:
    parts, x, y = [], 4, 14
    for label, color, dash in entries:
        shown = visible(label)[:40]  # cut before escaping: a cut never splits an entity
        width = 34 + 7 * len(shown)
        if x + width > WIDTH and x > 4:
            x, y = 4, y + 16
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" '
                     f'stroke-width="3"{dashed}/><text x="{x + 30}" y="{y}" class="legend">'
                     f'{escape(shown)}</text>')
        x += width
    return "".join(parts)


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    color: str


def bar_chart(ident: str, title: str, desc: str,
              bars: Sequence[tuple[str, Sequence[Segment]]]) -> Markup:
    """One stacked horizontal bar per label, each segment a step of the scale; a thin
    white gap and an outline separate segments so they do not depend on colour alone."""
    label_w, bar_h, gap = 0, 22, 34
    plot_w = WIDTH - 16
    height = 8 + gap * len(bars)
    parts: list[str] = []
    for row, (label, segments) in enumerate(bars):
        top = 4 + row * gap
        total = sum(s.count for s in segments)
        parts.append(f'<text x="{label_w}" y="{top + 9}" class="tick">'
                     f'{_t(f"{label} ({total})")}</text>')
        x = float(label_w)
        for seg in segments:
            if not seg.count:
                continue
            w = plot_w * seg.count / total
            parts.append(f'<rect x="{_n(x)}" y="{top + 12}" width="{_n(w)}" height="{bar_h - 8}" '
                         f'fill="{_t(seg.color)}" stroke="#ffffff" stroke-width="1">'
                         f'<title>{_t(f"{seg.label}: {seg.count}")}</title></rect>')
            x += w
        parts.append(f'<rect x="{label_w}" y="{top + 12}" width="{plot_w}" height="{bar_h - 8}" '
                     'fill="none" stroke="#333333" stroke-width="1"/>')
    return _frame(ident, title, desc, parts, height=height)
