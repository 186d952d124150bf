"""Rich renderings of the views for people at a terminal.

Colour only on a terminal (Rich turns it off when piped and honours NO_COLOR);
text wraps at any width; numbers in Swedish form.

Text from goal files and malpl.yaml is never markup and never a terminal
escape: it becomes a Rich ``Text`` only through :func:`plain`, which shows
control characters with :func:`malpl.text.visible` before Rich measures the
width, and :class:`SafeConsole` applies the same rule to every segment it
renders, so a string that reaches Rich some other way cannot act either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from malpl import swedish
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.views import Assessment, GoalDetail, MeasureView, StatusView, SummaryRow, TodoItem

SPARKS = "▁▂▃▄▅▆▇█"
TREND = {"better": ("↗ bättre", "green"), "worse": ("↘ sämre", "red"),
         "unchanged": ("→ oförändrat", "yellow"), "": ("", "")}
#: Ids are short; a very long one folds instead of pushing the other columns out.
ID_WIDTH = 16
#: Below these widths the measures table folds its less important columns into "Mått".
MEASURES_ALL_COLUMNS = 150
MEASURES_TARGET_COLUMN = 100


class SafeConsole(Console):
    """A Console that reads no markup and sends no control character it was given.

    Rich's own styles and control codes pass; every text segment is shown with
    :func:`visible`, whichever renderable or plain string produced it.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **(kwargs | {"markup": False, "emoji": False}))

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None
               ) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment  # isprintable() is False for every character visible() replaces
            else:
                yield Segment(visible(segment.text), segment.style)


def console() -> Console:
    return SafeConsole(highlight=False, emoji=False, markup=False)


def plain(value: str, style: str = "") -> Text:
    """A Rich Text of text from a file: shown as written, never markup or an escape."""
    return Text(visible(value), style=style)


def badge(a: Assessment | None) -> Text:
    if a is None:
        return Text("")
    return Text.assemble(plain(a.symbol, a.color), " ", plain(a.label))


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def sparkline(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def _column_width(cells: Iterable[Text], header: str) -> int:
    """One width for a column in every table of a view, so that the tables line up."""
    return max(cell_len(header), *(cell_len(c.plain) for c in cells))


def _id_column(table: Table, header: str = "Id") -> None:
    table.add_column(header, max_width=ID_WIDTH, overflow="fold")


def summary_table(rows: list[SummaryRow], title: str) -> Table:
    table = Table(title=Text(title), title_justify="left", show_edge=False, box=None,
                  padding=(0, 1))
    table.add_column("Bedömning", no_wrap=True)
    table.add_column("Antal", justify="right")
    table.add_column("Andel", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, overflow="crop")
    for row in rows:
        table.add_row(Text.assemble(plain(row.symbol, row.color), " ", plain(row.label)),
                      str(row.count), row.share, Text(bar(row.fraction), style=row.color))
    return table


def _comment_state(ready: bool, has_comment: bool) -> Text:
    if not has_comment:
        return Text("saknas", style="yellow")
    return Text("klar") if ready else Text("utkast", style="yellow")


def status(view: StatusView) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble((f"Status {visible(view.period_text)} ({visible(view.period)})", "bold")),
        Text(""), summary_table(view.summary, f"Måluppfyllelse, {len(view.rows)} mål"), Text("")]
    assessments = [badge(row.assessment) for row in view.rows]
    forecasts = [badge(row.forecast) for row in view.rows]
    comments = [_comment_state(row.ready, row.has_comment) for row in view.rows]
    widths = (_column_width(assessments, "Bedömning"), _column_width(forecasts, "Prognos"),
              _column_width(comments, "Kommentar"))
    show_forecast = any(row.forecast for row in view.rows)
    table = None
    goal_id = None
    for row, assessment, forecast, comment in zip(view.rows, assessments, forecasts, comments, strict=True):
        if table is None or row.goal_id != goal_id:
            goal_id = row.goal_id
            table = Table(title=plain(f"{row.goal_id} {row.goal_title}", "bold"),
                          title_justify="left", expand=True)
            _id_column(table)
            table.add_column("Mål", ratio=1, no_wrap=True, overflow="ellipsis", min_width=10)
            table.add_column("Bedömning", no_wrap=True, min_width=widths[0])
            if show_forecast:
                table.add_column("Prognos", no_wrap=True, min_width=widths[1])
            table.add_column("Kommentar", no_wrap=True, min_width=widths[2])
            parts += [table, Text("")]
        cells = [plain(row.id), plain(row.text), assessment]
        cells += [forecast] if show_forecast else []
        table.add_row(*cells, comment)
    return Group(*parts)


def todo(groups: dict[str, list[TodoItem]], period_text: str) -> RenderableType:
    if not groups:
        return Text(f"Nothing missing for {visible(period_text)}.")
    total = sum(len(items) for items in groups.values())
    parts: list[RenderableType] = [
        Text(f"{total} targets need work for {visible(period_text)}", style="bold")]
    missing = {id(item): Text(", ".join(item.missing))
               for items in groups.values() for item in items}
    width = _column_width(missing.values(), "Saknas")
    for who, items in groups.items():
        table = Table(title=plain(f"{who} ({len(items)})", "bold"), title_justify="left",
                      expand=True)
        _id_column(table)
        table.add_column("Mål", ratio=1, no_wrap=True, overflow="ellipsis", min_width=10)
        table.add_column("Saknas", min_width=min(width, 28))
        for item in items:
            table.add_row(plain(item.target.id), plain(item.target.text), missing[id(item)])
        parts += [Text(""), table]
    return Group(*parts)


def _facts(view: MeasureView) -> list[str]:
    facts = []
    if view.latest:
        facts.append(f"senast {view.latest.key}: {view.latest.text}")
    if view.target:
        facts.append(f"mål: {view.target}")
    if view.baseline:
        facts.append(f"basår {view.baseline.key}: {view.baseline.text}")
    facts += [f"{ref.label} {ref.latest.key}: {ref.latest.text}" for ref in view.references]
    return facts + view.forecasts


def measure_lines(view: MeasureView) -> list[RenderableType]:
    lines: list[RenderableType] = [plain(view.name, "bold")]
    facts = _facts(view)
    if facts:
        lines.append(Padding(plain(" · ".join(facts)), (0, 0, 0, 2), expand=False))
    if view.progress is not None:
        lines.append(Text.assemble("  ", (bar(view.progress), "cyan"),
                                   f" {swedish.share(round(view.progress * 1000), 1000)} av "
                                   "vägen till målet"))
    spark = sparkline([p.value for p in view.series])
    if spark:
        label, style = TREND[view.trend]
        lines.append(Text.assemble("  ", (spark, "cyan"), " ",
                                   plain(f"{view.series[0].key}–{view.series[-1].key} "),
                                   (label, style)))
    return lines


def _indented(renderable: RenderableType, bottom: int = 0) -> Padding:
    return Padding(renderable, (0, 0, bottom, 2), expand=False)


def detail(d: GoalDetail) -> RenderableType:
    goal = d.goal
    parts: list[RenderableType] = [plain(f"{goal.id} {goal.title}", "bold")]
    meta = [d.level]
    if d.parent:
        meta.append(f"bidrar till {d.parent.id} {d.parent.title}")
    if goal.responsible:
        meta.append(f"ansvarig: {goal.responsible}")
    parts.append(plain(" · ".join(meta), "dim"))
    for item in d.targets:
        row = item.row
        parts += [Text(""), plain(f"{row.id} {row.text}", "bold")]
        if row.target:
            parts.append(plain(f"Mål: {row.target}" + (f" · utfall: {row.value_text}"
                                                      if row.value_text else "")))
        if item.history:
            history = Table(box=None, padding=(0, 2, 0, 0), show_header=True)
            history.add_column("Period")
            history.add_column("Bedömning")
            history.add_column("Prognos")
            for period, assessment, forecast in item.history:
                history.add_row(plain(period), badge(assessment), badge(forecast))
            parts.append(_indented(history))
        parts.append(plain(f"Kommentar {d.period}:", "underline"))
        if row.has_comment:
            last = len(row.paragraphs) - 1
            parts += [_indented(plain(p), 1 if i < last else 0)
                      for i, p in enumerate(row.paragraphs)]
        else:
            parts.append(_indented(Text("Ingen kommentar", style="italic")))
    if d.measures:
        parts += [Text(""), Text("Mått", style="bold underline")]
        for view in d.measures:
            parts += measure_lines(view)
    return Group(*parts)


def _latest(view: MeasureView) -> Text:
    return plain(f"{view.latest.text} ({view.latest.key})" if view.latest else "–")


def _baseline(view: MeasureView) -> str:
    return f"{view.baseline.text} ({view.baseline.key})" if view.baseline else "–"


def _references(view: MeasureView) -> str:
    return "\n".join(f"{r.label}: {r.latest.text} ({r.latest.key})" for r in view.references)


class Measures:
    """All measures, laid out for the width the console has when it renders them."""

    def __init__(self, views: Iterable[MeasureView]) -> None:
        self.views = list(views)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Table]:
        yield measures_table(self.views, options.max_width)


def measures_table(views: list[MeasureView], width: int) -> Table:
    """Below 150 columns baseline and comparison fold under the measure's name, below
    100 the target too, so that the name keeps room to be read."""
    wide = width >= MEASURES_ALL_COLUMNS
    target_column = width >= MEASURES_TARGET_COLUMN
    table = Table(expand=True)
    _id_column(table, "Mål")
    table.add_column("Mått", ratio=1, overflow="fold", min_width=20)
    table.add_column("Senast", justify="right", max_width=24)
    if target_column:
        table.add_column("Mål", overflow="fold", max_width=30)
    if wide:
        table.add_column("Basår", justify="right", max_width=24)
        table.add_column("Jämförelse", overflow="fold", max_width=36)
    table.add_column("Trend", no_wrap=True)
    for view in views:
        label, style = TREND[view.trend]
        name = plain(view.name)
        folded = [] if target_column or not view.target else [f"mål: {view.target}"]
        if not wide:
            folded += [f"basår: {_baseline(view)}"] if view.baseline else []
            folded += [_references(view)] if view.references else []
        if folded:
            name.append_text(plain("\n" + "\n".join(folded), "dim"))
        cells: list[RenderableType] = [plain(view.goal_id), name, _latest(view)]
        if target_column:
            cells.append(plain(view.target or "–"))
        if wide:
            cells += [plain(_baseline(view)), plain(_references(view) or "–")]
        cells.append(Text.assemble(sparkline([p.value for p in view.series]), " ",
                                   (label, style)))
        table.add_row(*cells)
    return table
