"""Charts as PNG bytes, drawn with matplotlib (imported only when a report is made).

Every text on a chart is plain text: :func:`plain` shows control characters
visibly and keeps ``$`` from being read as TeX, and legend entries are given
explicitly so that a label starting with ``_`` is shown, not hidden.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from malpl import swedish
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.views import MeasureView, SummaryRow

_FONT = {"family": "DejaVu Sans", "size": 9}


def plain(text: str) -> str:
    """``text`` as matplotlib draws it literally: ``$`` would start mathtext."""
    return visible(text).replace("$", r"\$")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=120)
    fig.patch.set_facecolor("white")
    return fig


def _png(fig, left: float = 0.1, bottom: float = 0.14) -> bytes:
    # Fixed margins instead of bbox_inches="tight", which draws every chart twice.
    fig.subplots_adjust(left=left, right=0.98, top=0.95, bottom=bottom)
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph the font lacks is drawn as a box, not reported
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        fig.savefig(buffer, format="png", metadata={"Software": None})
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
    """The measure's series, its reference series and its target as a line."""
    return _png(measure_figure(view))


def measure_figure(view: MeasureView):
    fig = _figure(6.0, 2.6)
    ax = fig.add_subplot()
    points = view.series + [p for ref in view.references for p in ref.series]
    axis = {p.key: p.order for p in points}
    keys = sorted(axis, key=axis.__getitem__)
    x = {key: i for i, key in enumerate(keys)}
    handles = ax.plot([x[p.key] for p in view.series], [p.value for p in view.series],
                      marker="o", color="#1f4e79")
    labels = ["Utfall"]
    for ref in view.references:
        handles += ax.plot([x[p.key] for p in ref.series], [p.value for p in ref.series],
                           marker=".", linestyle="--", color="#7f7f7f")
        labels.append(plain(ref.label))
    ax.set_xticks(range(len(keys)), [plain(k) for k in keys])
    if view.target_value is not None:
        handles.append(ax.axhline(view.target_value, color="#2e7d32", linewidth=1,
                                  linestyle=":"))
        labels.append(plain(f"Mål {swedish.with_unit(view.target_value, view.unit)}"))
    ax.yaxis.set_major_formatter(lambda value, _pos: swedish.number(value))
    ax.tick_params(labelsize=_FONT["size"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles, labels, fontsize=_FONT["size"] - 1, frameon=False, loc="best")
    return fig
