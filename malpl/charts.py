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
from typing import TYPE_CHECKING

from malpl import swedish
from malpl.periods import SCHEMES
from malpl.text import visible

if TYPE_CHECKING:
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
    which draws every chart twice."""
    fig.subplots_adjust(left=left, right=0.98, top=top, bottom=bottom)
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph the font lacks is drawn as a box, not reported
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        fig.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
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
    """The measure's series, its reference series and its target, as what each is."""
    return _png(measure_figure(view), left=0.11, bottom=0.2, top=0.84)


_PREFIXES = {prefix: name for prefix, _count, name in SCHEMES.values()}


def period_tick(key: str) -> str:
    """A period as readers say it, on two lines: 'T2-2023' → 'Tertial 2\n2023'."""
    found = re.fullmatch(r"([A-ZÅÄÖ])(\d{1,2})-(\d{4})", key)
    if found and found.group(1) in _PREFIXES:
        return f"{_PREFIXES[found.group(1)]} {found.group(2)}\n{found.group(3)}"
    return plain(key)


def measure_figure(view: MeasureView):
    """Title and unit; the y-axis from zero for what cannot be negative, or marked when not;
    a floor or ceiling drawn as one, a target that follows a reference series as that
    series; the trend written in the corner."""
    fig = _figure(6.0, 2.9)
    ax = fig.add_subplot()
    points = view.series + [p for ref in view.references for p in ref.series]
    axis = {p.key: p.order for p in points}
    keys = sorted(axis, key=axis.__getitem__)
    x = {key: i for i, key in enumerate(keys)}
    handles = ax.plot([x[p.key] for p in view.series], [p.value for p in view.series],
                      marker="o", color="#1f4e79", linewidth=2)
    labels = ["Utfall"]
    for ref in view.references:
        is_target = ref.label == view.target_reference
        handles += ax.plot([x[p.key] for p in ref.series], [p.value for p in ref.series],
                           marker=".", linestyle="--", color="#2e7d32" if is_target else "#6b6b6b")
        labels.append(plain(ref.label + (" (mål)" if is_target else "")))
    ax.set_xticks(range(len(keys)), [period_tick(k) for k in keys])
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
    return fig
