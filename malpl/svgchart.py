"""Charts as inline SVG text: deterministic, accessible, and escaped by construction.

Every chart is a :class:`markupsafe.Markup` built from this module's own marks, and
every text from a goal file enters it through ``_t`` (or ``escape`` after
:func:`malpl.text.visible`). Coordinates are rounded to one decimal so the same
data always gives the same bytes. The chart is ``role="img"`` named by its
``<title>``; a ``<desc>`` holds the figures only where no table beside it does, so
a screen reader meets them once.

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
from malpl.periods import SCHEMES, Period, PeriodError, parse_point
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.views import MeasureView

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 48, 36
PLOT_HEIGHT = 170
SERIES_COLOR = "#1f4e79"
REFERENCE_COLORS = ("#5f5f5f", "#8a4b08", "#6a1b9a", "#00695c")
TARGET_COLOR = "#1b5e20"
NOTE_COLOR = "#444444"
_DASHES = ("6 4", "2 3", "8 3 2 3", "1 4")
#: Units of shares and counts, whose axis always starts at zero.
ZERO_UNITS = {"%", "‰", "procent", "andel", "st", "antal", "personer", "kr", "tkr", "mnkr"}
_SCHEME_OF = {prefix: scheme for scheme, (prefix, _count, _name) in SCHEMES.items()}


@dataclass(frozen=True)
class Line:
    """One series: its label and (x key, value) points in x order. The line is broken
    between two points where ``joined`` says they are not neighbours."""

    label: str
    points: Sequence[tuple[str, float]]
    emphasis: bool = False  # the reference series a target follows


def _t(text: str) -> Markup:
    """Text from a goal file or the configuration, escaped: the only way text enters."""
    return escape(visible(text))


def _n(value: float) -> str:
    return f"{value:.1f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values that cover ``low``–``high`` (a 1, 2, 2.5 or 5 step times a power of ten)."""
    if high <= low:
        if low == high == 0:
            low, high = 0, 1
        else:
            low, high = (low - 1, high + 1) if low == high else (high, low)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def axis_range(values: Sequence[float], unit: str) -> tuple[list[float], bool]:
    """The y ticks, and whether the axis leaves zero out. Shares and counts start at zero;
    other values start at zero too unless zero would flatten them (they vary by less than
    a quarter of their size), and then the axis is marked as broken."""
    low, high = min(values), max(values)
    if low < 0 or high <= 0:
        return nice_ticks(min(low, 0), max(high, 0)), False
    high += 0.05 * high  # room above the highest point for its mark
    shares_or_counts = (unit.split() or [""])[0].lower() in ZERO_UNITS
    if not shares_or_counts and high - low < 0.25 * high:
        ticks = nice_ticks(low, high)
        if ticks[0] > 0:
            return ticks, True
    return nice_ticks(0, high), False


def _period(key: str) -> Period:
    return parse_point(key, _SCHEME_OF.get(key[:1], "tertial"))


def period_words(key: str) -> tuple[str, str]:
    """A year or period as readers say it, in two lines: 'T2-2023' → ('Tertial 2', '2023')."""
    try:
        point = _period(key)
    except PeriodError:
        return key, ""
    if not point.number:
        return str(point.year), ""
    return f"{SCHEMES[_SCHEME_OF[point.prefix]][2]} {point.number}", str(point.year)


def joined(before: str, after: str, breaks: Sequence[str] = ()) -> bool:
    """Do two points of a series make one line: neighbouring years or periods, with no
    series break between them?"""
    try:
        first, second = _period(before), _period(after)
        cut = [_period(k).sort_key for k in breaks]
    except PeriodError:
        return True
    scheme = _SCHEME_OF.get(first.prefix, "tertial")
    return second.follows(first, scheme) and not any(
        first.sort_key < k <= second.sort_key for k in cut)


# The page's stylesheet, for a chart that is a picture of its own (no text from a goal file).
# TEXT_STYLES says the same for the PNG drawn from the chart (malpl.charts); a test holds
# the two alike.
_STYLE = ('<style>.grid{stroke:#d9d9d9;stroke-width:1}'
          '.tick,.legend,.unit,.note,.heading{font-size:13px;fill:#333333;'
          'font-family:"DejaVu Sans",Arial,sans-serif}'
          '.heading{font-size:15px;font-weight:bold;fill:#1a1a1a}.note{fill:#444444}'
          '.inked{font-size:13px;font-family:"DejaVu Sans",Arial,sans-serif}</style>')
#: Each text class as (font size, bold, colour); ``inked`` text has its own colour.
TEXT_STYLES = {"tick": (13, False, "#333333"), "legend": (13, False, "#333333"),
               "unit": (13, False, "#333333"), "note": (13, False, "#444444"),
               "heading": (15, True, "#1a1a1a"), "inked": (13, False, "")}
GRID = ("#d9d9d9", 1)  # the grid lines' colour and width


def _frame(ident: str, title: str, desc: str, body: list[str], height: int = HEIGHT,
           styled: bool = False) -> Markup:
    i = _t(ident)
    described = f' aria-describedby="{i}-d"' if desc else ""
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
                  f'role="img" aria-labelledby="{i}-t"{described} class="chart" '
                  'preserveAspectRatio="xMinYMin meet" focusable="false">'
                  f'<title id="{i}-t">{_t(title)}</title>'
                  + (f'<desc id="{i}-d">{_t(desc)}</desc>' if desc else "")
                  + (_STYLE if styled else "") + "".join(body) + "</svg>")


@dataclass(frozen=True)
class Chart:
    """What a line chart shows besides its lines: words, target, gaps and breaks."""

    heading: str = ""
    unit: str = ""
    target: tuple[float, str] | None = None  # a floor, ceiling or value: (value, label)
    trend: str = ""  # "Trend: förbättrad", or "Ingen trend: …" and why
    breaks: Sequence[str] = ()  # keys where the series starts anew
    missing: Sequence[str] = ()  # keys without a value


def _wrap(text: str, width: int = 70, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters, cut with '…'."""
    words, found = visible(text).split(" "), [""]
    for word in words:
        if found[-1] and len(found[-1]) + 1 + len(word) > width:
            found.append("")
        found[-1] = f"{found[-1]} {word}".lstrip(" ")
    if len(found) > lines:
        found = found[:lines]
        found[-1] = found[-1][:width - 1] + "…"
    return [line[:width] for line in found]


def line_chart(ident: str, title: str, desc: str, keys: Sequence[str], series: Line,
               references: Sequence[Line] = (), chart: Chart | None = None,
               styled: bool = False) -> Markup:
    """A line chart of ``series`` over ``keys`` with dashed reference lines, the target as a
    labelled line, the series broken at gaps and breaks. ``ident`` makes the element ids
    unique on a page; ``styled`` puts the stylesheet inside, for a chart shown as a picture."""
    chart = chart or Chart()
    values = [v for line in (series, *references) for _, v in line.points]
    if chart.target is not None:
        values.append(chart.target[0])
    ticks, broken = axis_range(values, chart.unit)
    low, high = ticks[0], ticks[-1]
    parts: list[str] = []
    y_text = 18
    for line in _wrap(chart.heading):
        parts.append(f'<text x="4" y="{y_text}" class="heading">{escape(line)}</text>')
        y_text += 19
    legend = [("Utfall", SERIES_COLOR, "", 3)]
    for i, ref in enumerate(references):
        if ref.emphasis:
            legend.append((f"{ref.label} (mål)", TARGET_COLOR, "8 3", 3))
        else:
            legend.append((ref.label, REFERENCE_COLORS[i % len(REFERENCE_COLORS)],
                           _DASHES[i % len(_DASHES)], 2))
    legend_parts, y_text = _legend(legend, y_text)
    parts += legend_parts
    top = y_text + 34
    bottom = top + PLOT_HEIGHT
    foot = bottom - (18 if broken else 0)  # a broken axis leaves room for its mark
    height = bottom + (56 if broken else 40)
    plot_w = WIDTH - LEFT - RIGHT
    x_of = {k: LEFT + (plot_w * (i + 0.5) / len(keys)) for i, k in enumerate(keys)}

    def y(value: float) -> float:
        return top + (foot - top) * (1 - (value - low) / (high - low))

    for tick in ticks:
        zero = ' stroke="#767676"' if tick == 0 and low < 0 else ""
        parts.append(f'<line x1="{LEFT}" y1="{_n(y(tick))}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_n(y(tick))}" class="grid"{zero}/><text x="{LEFT - 8}" '
                     f'y="{_n(y(tick) + 4)}" text-anchor="end" class="tick">'
                     f'{_t(swedish.number(tick))}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" stroke="#767676" '
                 'stroke-width="1"/>')
    if chart.unit:
        parts.append(f'<text x="4" y="{top - 10}" class="unit">{_t(chart.unit)}</text>')
    if chart.trend:
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{top - 10}" text-anchor="end" '
                     f'class="note trend">{_t(chart.trend)}</text>')
    if broken:
        parts.append(_axis_break(bottom))
        parts.append(f'<text x="4" y="{height - 6}" class="note">'
                     'Axeln börjar inte vid noll.</text>')
    parts += _x_labels(keys, x_of, bottom)
    parts += _markers(keys, x_of, chart, top, bottom)
    for i, ref in enumerate(references):
        color = TARGET_COLOR if ref.emphasis else REFERENCE_COLORS[i % len(REFERENCE_COLORS)]
        dash = "8 3" if ref.emphasis else _DASHES[i % len(_DASHES)]
        kind = "ref target-ref" if ref.emphasis else "ref"
        parts.append(_lines(ref, (), x_of, y, color, dash, kind))
    if chart.target is not None:
        parts.append(_target_line(y(chart.target[0]), chart.target[1], top))
    parts.append(_lines(series, chart.breaks, x_of, y, SERIES_COLOR, "", "series"))
    return _frame(ident, title, desc, parts, height=height, styled=styled)


def chart_keys(view: MeasureView) -> list[str]:
    """The x axis of a measure's chart: its periods, its reference series' and the ones
    where a value is missing, in time order."""
    axis = {p.key: p.order for p in [*view.series, *(p for r in view.references
                                                     for p in r.series)]}
    for marker in view.missing:
        try:
            axis.setdefault(marker.key, _period(marker.key).sort_key)
        except PeriodError:
            continue
    for key in _between(axis):
        axis.setdefault(key, _period(key).sort_key)
    return sorted(axis, key=axis.__getitem__)


def _between(keys: Sequence[str], most: int = 40) -> list[str]:
    """Every year, and every period of each scheme, from the first key of its kind to the
    last: a year without a value keeps its place on the axis (unless there are more than
    ``most`` places to show)."""
    steps: dict[str, list[int]] = {}
    for key in keys:
        try:
            point = _period(key)
        except PeriodError:
            continue
        if point.number and point.prefix not in _SCHEME_OF:
            continue
        count = SCHEMES[_SCHEME_OF[point.prefix]][1] if point.number else 1
        steps.setdefault(point.prefix, []).append(point.year * count + max(point.number - 1, 0))
    if sum(max(s) - min(s) + 1 for s in steps.values()) > most:
        return []
    found = []
    for prefix, kind in steps.items():
        count = SCHEMES[_SCHEME_OF[prefix]][1] if prefix else 1
        for step in range(min(kind), max(kind) + 1):
            year, number = divmod(step, count)
            found.append(f"{prefix}{number + 1}-{year}" if prefix else str(year))
    return found


def axis_keys(view: MeasureView) -> list[str]:
    """The periods of a measure and its reference series, in time order."""
    axis = {p.key: p.order for p in [*view.series, *(p for r in view.references
                                                     for p in r.series)]}
    return sorted(axis, key=axis.__getitem__)


def target_line(view: MeasureView) -> tuple[float, str] | None:
    """A target drawn as a line: a floor, a ceiling or a value, never one that follows a
    reference series (that series is the target, drawn as it is)."""
    if view.target_value is None or view.target_reference:
        return None
    word = {"floor": "minst ", "ceiling": "högst "}.get(view.target_kind, "")
    return view.target_value, f"Mål: {word}{swedish.with_unit(view.target_value, view.unit)}"


def measure_chart(view: MeasureView, ident: str, title: str, desc: str = "",
                  styled: bool = False) -> Markup:
    """A measure's series, reference series, target and trend as a line chart, named
    ``title`` for screen readers and described by ``desc`` (none where a table beside it
    holds the values)."""
    return line_chart(
        ident, title, desc, chart_keys(view),
        Line("Utfall", [(p.key, p.value) for p in view.series]),
        [Line(r.label, [(p.key, p.value) for p in r.series],
              emphasis=r.label == view.target_reference) for r in view.references],
        Chart(view.name, view.unit, target_line(view), view.trend_line,
              [m.key for m in view.breaks], [m.key for m in view.missing]),
        styled=styled)


def picture(view: MeasureView, ident: str, desc: str) -> bytes:
    """A measure's chart as an SVG file, with its own style: for an ``<img>``."""
    return str(measure_chart(view, ident, view.name, desc, styled=True)).encode("utf-8")


# Below, plain f-strings build the marks: only numbers, this module's own colours and
# dashes, and text through _t (escaped) go into them.

def _x_labels(keys: Sequence[str], x_of: dict[str, float], bottom: float) -> list[str]:
    step = max(1, math.ceil(len(keys) / 8))  # at most eight labels on the x axis
    parts = []
    for i, key in enumerate(keys):
        if i % step and i != len(keys) - 1:
            continue
        for row, words in enumerate(w for w in period_words(key) if w):
            parts.append(f'<text x="{_n(x_of[key])}" y="{_n(bottom + 18 + 15 * row)}" '
                         f'text-anchor="middle" class="tick">{_t(words)}</text>')
    return parts


def _markers(keys: Sequence[str], x_of: dict[str, float], chart: Chart, top: float,
             bottom: float) -> list[str]:
    """A dashed vertical line where the series breaks, 'saknas' where a value is missing."""
    parts = []
    for key in chart.breaks:
        if key not in x_of or keys.index(key) == 0:
            continue
        x = (x_of[key] + x_of[keys[keys.index(key) - 1]]) / 2
        parts.append(f'<line x1="{_n(x)}" y1="{top}" x2="{_n(x)}" y2="{bottom}" '
                     f'stroke="{NOTE_COLOR}" stroke-width="1.5" stroke-dasharray="4 3" '
                     f'class="break"/><text x="{_n(x + 4)}" y="{top + 12}" class="note">'
                     'Serien bryts</text>')
    for key in chart.missing:
        if key in x_of:
            parts.append(f'<text x="{_n(x_of[key])}" y="{_n(bottom - 6)}" text-anchor="middle" '
                         'class="note missing">saknas</text>')
    return parts


def _axis_break(bottom: float) -> str:
    """Two slanted strokes across the foot of the y axis: the axis does not reach zero."""
    return (f'<rect x="{LEFT - 6}" y="{_n(bottom - 14)}" width="12" height="8" fill="#ffffff" '
            f'class="axis-break"/><line x1="{LEFT - 6}" y1="{_n(bottom - 10)}" '
            f'x2="{LEFT + 6}" y2="{_n(bottom - 16)}" stroke="#333333" stroke-width="1.5"/>'
            f'<line x1="{LEFT - 6}" y1="{_n(bottom - 4)}" x2="{LEFT + 6}" y2="{_n(bottom - 10)}" '
            'stroke="#333333" stroke-width="1.5"/>')


def _target_line(y: float, label: str, top: float) -> str:
    """The target as a line across the plot, labelled at its right end (above the line, or
    below it at the top of the plot)."""
    shown = escape(visible(label))
    text_y = y + 16 if y - top < 18 else y - 6
    return (f'<line x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" y2="{_n(y)}" '
            f'stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="1 3" class="target"/>'
            f'<text x="{WIDTH - RIGHT - 2}" y="{_n(text_y)}" text-anchor="end" class="inked" '
            f'fill="{TARGET_COLOR}">{shown}</text>')


def _runs(line: Line, breaks: Sequence[str]) -> list[list[tuple[str, float]]]:
    """The points of a line in runs that may be joined: a gap or a break starts a new one."""
    runs: list[list[tuple[str, float]]] = []
    for point in line.points:
        if runs and joined(runs[-1][-1][0], point[0], breaks):
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _lines(line: Line, breaks: Sequence[str], x_of: dict[str, float], y, color: str,
           dash: str, kind: str) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    wide = 3 if kind == "series" or line.emphasis else 2
    radius = 4 if kind == "series" else 3
    parts = []
    for run in _runs(line, breaks):
        points = [(_n(x_of[k]), _n(y(v))) for k, v in run]
        if len(points) > 1:
            coords = " ".join(f"{x},{yy}" for x, yy in points)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" '
                         f'stroke-width="{wide}"{dashed} class="{kind}"/>')
        parts += [f'<circle cx="{x}" cy="{yy}" r="{radius}" fill="{color}"/>'
                  for x, yy in points]
    return "".join(parts)


def _legend(entries: list[tuple[str, str, str, int]], y: int) -> tuple[list[str], int]:
    """Legend entries in rows from ``y``; the rows and the baseline of the last one."""
    parts, x = [], 4
    y += 4
    for label, color, dash, wide in entries:
        shown = visible(label)[:48]  # cut before escaping: a cut never splits an entity
        width = 34 + 7 * len(shown)
        if x + width > WIDTH and x > 4:
            x, y = 4, y + 18
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" '
                     f'stroke-width="{wide}"{dashed}/><text x="{x + 30}" y="{y}" class="legend">'
                     f'{escape(shown)}</text>')
        x += width
    return parts, y


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    color: str
    symbol: str = ""


def _ink(color: str) -> str:
    """Text colour on a fill: white where it has 4.5:1 contrast, else near-black."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    try:
        r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    except ValueError:
        return "#1a1a1a"
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if 1.05 / (luminance + 0.05) >= 4.5 else "#1a1a1a"


def bar_chart(ident: str, title: str, desc: str,
              bars: Sequence[tuple[str, Sequence[Segment]]], styled: bool = False) -> Markup:
    """One stacked horizontal bar per label, each segment a step of the scale. A white gap,
    the step's symbol and count in each segment wide enough, and a legend of symbols tell
    the steps apart without colour (in grey print too)."""
    bar_h, gap = 22, 40
    plot_w = WIDTH - 16
    parts: list[str] = []
    for row, (label, segments) in enumerate(bars):
        top = 4 + row * gap
        total = sum(s.count for s in segments)
        parts.append(f'<text x="0" y="{top + 11}" class="tick">{_t(f"{label} ({total})")}</text>')
        x = 0.0
        for seg in segments:
            if not seg.count:
                continue
            w = plot_w * seg.count / total
            parts.append(f'<rect x="{_n(x)}" y="{top + 16}" width="{_n(w)}" height="{bar_h}" '
                         f'fill="{_t(seg.color)}" stroke="#ffffff" stroke-width="2">'
                         f'<title>{_t(f"{seg.label}: {seg.count}")}</title></rect>')
            text = f"{seg.symbol} {seg.count}".strip()
            if w >= 10 + 8 * len(text):
                parts.append(f'<text x="{_n(x + w / 2)}" y="{top + 32}" text-anchor="middle" '
                             f'class="inked" fill="{_ink(seg.color)}">'
                             f'{_t(text)}</text>')
            x += w
        parts.append(f'<rect x="0" y="{top + 16}" width="{plot_w}" height="{bar_h}" '
                     'fill="none" stroke="#333333" stroke-width="1"/>')
    steps = {s.label: s for _, segments in bars for s in segments}
    legend, y = _legend([(f"{s.symbol} {s.label}".strip(), s.color, "", 10)
                         for s in steps.values()], 20 + gap * len(bars))
    return _frame(ident, title, desc, parts + legend, height=y + 8, styled=styled)
