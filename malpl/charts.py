"""Charts as PNG bytes at print resolution, drawn with matplotlib (imported only when a
report is made).

Every text on a chart is plain text: :func:`plain` shows control characters
visibly and keeps ``$`` from being read as TeX, and legend entries are given
explicitly so that a label starting with ``_`` is shown, not hidden.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from malpl import swedish
from malpl.periods import SCHEMES
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.measureviews import Point
    from malpl.views import MeasureView, SummaryRow

_FONT = {"family": "DejaVu Sans", "size": 9}


def plain(text: str) -> str:
    """``text`` as matplotlib draws it literally: ``$`` would start mathtext."""
    return visible(text).replace("$", r"\$")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def _png(fig, left: float, bottom: float, top: float = 0.95) -> bytes:
    """PNG at 200 dpi, sharp in print. Fixed margins instead of bbox_inches="tight",
    which draws every chart twice. Every pixel is opaque (a white figure), so the
    picture is stored as RGB, and packed fast: the DOCX compresses it once more."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.subplots_adjust(left=left, right=0.98, top=top, bottom=bottom)
    fig.set_dpi(200)
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings():  # a glyph the font lacks is drawn as a box, not reported
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        canvas.draw()
    buffer = io.BytesIO()
    picture = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                               "raw", "RGBA", 0, 1)
    picture.convert("RGB").save(buffer, format="png", dpi=(200, 200), compress_level=1)
    return buffer.getvalue()


def summary_chart(rows: list[SummaryRow]) -> bytes:
    """One horizontal bar per step of the scale, in the scale's colours."""
    fig = _figure(6.0, 0.45 * len(rows) + 0.6)
    ax = fig.add_subplot()
    labels = [plain(r.label) for r in rows][::-1]
    counts = [r.count for r in rows][::-1]
    bars = ax.barh(range(len(rows)), counts, color=[r.color for r in rows][::-1])
    ax.set_yticks(range(len(rows)), labels)
    for bar, row in zip(bars, rows[::-1], strict=True):
        ax.text(bar.get_width() + 0.1, bar.get_y() + bar.get_height() / 2,
                f"{row.count} ({row.share})", va="center", fontdict=_FONT)
    ax.set_xlim(0, max([*counts, 1]) * 1.3)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=_FONT["size"])
    return _png(fig, left=0.25, bottom=0.04)


def measure_chart(view: MeasureView) -> bytes:
    """The measure's series, its reference series and its target, as what each is.

    Drawn on one figure kept for the next chart, cleared of what the last one drew:
    making a figure and its axes' ticks is a third of a chart's time. The picture is
    the same, pixel for pixel, as on a new figure (tests/test_charts.py holds it to that).
    """
    fig = _SHARED.get("measure")
    if fig is None:
        fig = _SHARED["measure"] = _figure(6.0, 2.9)
        fig.add_subplot()
    else:
        _clear(fig.axes[0])
    _draw_measure(fig, fig.axes[0], view)
    return _png(fig, left=0.11, bottom=0.2, top=0.84)


_SHARED: dict[str, Any] = {}  # the figure measure charts are drawn on, one per process


def _clear(ax) -> None:
    """Back to the state of new axes for what :func:`_draw_measure` sets or adds."""
    for artist in [*ax.lines, *ax.texts]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_title("", loc="right")
    ax.set_ylabel("")
    ax.relim()
    ax.set_autoscale_on(True)


_PREFIXES = {prefix: name for prefix, _count, name in SCHEMES.values()}


def period_tick(key: str) -> str:
    """A period as readers say it, on two lines: 'T2-2023' → 'Tertial 2\n2023'."""
    found = re.fullmatch(r"([A-ZÅÄÖ])(\d{1,2})-(\d{4})", key)
    if found and found.group(1) in _PREFIXES:
        return f"{_PREFIXES[found.group(1)]} {found.group(2)}\n{found.group(3)}"
    return plain(key)


_COUNTS = {prefix: count for prefix, count, _name in SCHEMES.values()}
_KEY = re.compile(r"([A-ZÅÄÖ])(\d{1,2})-(\d{4})|(\d{4})")


def _time(key: str) -> tuple[str, int] | None:
    """A key as (kind, step) on its own clock: years count by one, periods by their
    scheme ('T1-2024' follows 'T3-2023'); None for a key that is neither."""
    found = _KEY.fullmatch(key)
    if found is None:
        return None
    if found.group(4):
        return "", int(found.group(4))
    prefix = found.group(1)
    return prefix, int(found.group(3)) * _COUNTS.get(prefix, 1) + int(found.group(2))


def _order(key: str) -> tuple[int, int]:
    """Where a key sorts, as measure points do: a year after the periods of that year."""
    found = _KEY.fullmatch(key)
    if found is None:
        return (0, 0)
    return (int(found.group(4)), 99) if found.group(4) else (int(found.group(3)),
                                                              int(found.group(2)))


def _follows(later: str, earlier: str) -> bool:
    a, b = _time(later), _time(earlier)
    return a is not None and b is not None and a[0] == b[0] and a[1] == b[1] + 1


def _between(keys: list[str], most: int = 40) -> list[str]:
    """The years, and the periods of each scheme, from the first key of their kind to the
    last, when there are not too many of them to label."""
    found: dict[str, list[int]] = {}
    for key in keys:
        at = _time(key)
        if at is not None:
            found.setdefault(at[0], []).append(at[1])
    if sum(max(steps) - min(steps) + 1 for steps in found.values()) > most:
        return []
    filled = []
    for prefix, steps in found.items():
        count = _COUNTS.get(prefix, 1)
        for step in range(min(steps), max(steps) + 1):
            year, number = divmod(step - 1, count)
            filled.append(f"{prefix}{number + 1}-{year}" if prefix else str(step))
    return filled


def segments(points: list[Point], breaks: Sequence[str] = ()) -> list[list[Point]]:
    """A series cut where the line must not run: a gap (a missing value, or a year or
    period with no value), and a series break, which starts a new series at its key."""
    parts: list[list[Point]] = []
    for point in points:
        if parts and _follows(point.key, parts[-1][-1].key) and not any(
                parts[-1][-1].order < _order(k) <= point.order for k in breaks):
            parts[-1].append(point)
        else:
            parts.append([point])
    return parts


def _line(ax, points: list[Point], x: dict[str, int], breaks: Sequence[str] = (), **style):
    """One series as separate lines where it is cut; one legend handle for them all."""
    handle = None
    for part in segments(points, breaks):
        drawn = ax.plot([x[p.key] for p in part], [p.value for p in part], **style)
        handle = handle or drawn[0]
        style = {**style, "label": None}
    return handle


def measure_figure(view: MeasureView):
    """Title and unit; the y-axis from zero for what cannot be negative, or marked when not;
    a floor or ceiling drawn as one, a target that follows a reference series as that
    series; lines cut at gaps, a series break marked; the trend written in the corner."""
    fig = _figure(6.0, 2.9)
    _draw_measure(fig, fig.add_subplot(), view)
    return fig


def _draw_measure(fig, ax, view: MeasureView) -> None:
    points = view.series + [p for ref in view.references for p in ref.series]
    axis = {p.key: p.order for p in points}
    if points:  # a year or period without a value, or a break, gets its own place
        first, last = min(axis.values()), max(axis.values())
        between = [*_between(list(axis)), *(m.key for m in [*view.missing, *view.breaks])]
        axis |= {key: _order(key) for key in between if first < _order(key) < last}
    keys = sorted(axis, key=axis.__getitem__)
    x = {key: i for i, key in enumerate(keys)}
    breaks = [m.key for m in view.breaks]
    handles = [_line(ax, view.series, x, breaks, marker="o", color="#1f4e79", linewidth=2)]
    labels = ["Utfall"]
    for ref in view.references:
        is_target = ref.label == view.target_reference
        handles.append(_line(ax, ref.series, x, marker=".", linestyle="--",
                             color="#2e7d32" if is_target else "#6b6b6b"))
        labels.append(plain(ref.label + (" (mål)" if is_target else "")))
    ax.set_xticks(range(len(keys)), [period_tick(k) for k in keys])
    for key in breaks:
        cut = [i for i, k in enumerate(keys) if axis[k] >= _order(key)]
        if cut and cut[0] > 0:
            at = cut[0] - 0.5
            ax.axvline(at, color="#444444", linewidth=1, linestyle=(0, (4, 2)))
            ax.text(at, 1.0, " Serieavbrott", transform=ax.get_xaxis_transform(), va="top",
                    fontsize=_FONT["size"] - 1, color="#444444")
    if view.target_value is not None and not view.target_reference:
        word = {"floor": "minst ", "ceiling": "högst "}.get(view.target_kind, "")
        handles.append(ax.axhline(view.target_value, color="#2e7d32", linewidth=1.2,
                                  linestyle=":"))
        labels.append(plain(f"Mål: {word}{swedish.with_unit(view.target_value, view.unit)}"))
    values = [p.value for p in points] + ([view.target_value] if view.target_value else [])
    if values and min(values) >= 0:
        ax.set_ylim(bottom=0, top=max(values) * 1.12 or 1)
    else:
        ax.text(0, 1.01, "Axeln börjar inte vid noll", transform=ax.transAxes,
                fontsize=_FONT["size"] - 1, color="#444444")
    ax.yaxis.set_major_formatter(lambda value, _pos: swedish.number(value))
    if view.unit:
        ax.set_ylabel(plain(view.unit), fontsize=_FONT["size"])
    fig.suptitle(plain(view.name), x=0.02, ha="left", fontsize=_FONT["size"] + 1,
                 fontweight="bold", wrap=True)
    if view.trend_label:
        ax.set_title(plain(f"Trend: {view.trend_label}"), loc="right",
                     fontsize=_FONT["size"], color="#444444")
    ax.tick_params(labelsize=_FONT["size"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles, labels, fontsize=_FONT["size"] - 1, frameon=False, loc="lower left")
