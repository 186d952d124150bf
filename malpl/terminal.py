"""Rich renderings of the views for people at a terminal.

Colour only on a terminal (Rich turns it off when piped and honours NO_COLOR);
text wraps at any width; numbers in Swedish form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from malpl import swedish

if TYPE_CHECKING:
    from malpl.views import Assessment, GoalDetail, MeasureView, StatusView, SummaryRow, TodoItem

SPARKS = "▁▂▃▄▅▆▇█"
TREND = {"better": ("↗ bättre", "green"), "worse": ("↘ sämre", "red"),
         "unchanged": ("→ oförändrat", "yellow"), "not_assessable": ("? kan ej bedömas", ""),
         "": ("", "")}


def console() -> Console:
    return Console(highlight=False, emoji=False)


def badge(a: Assessment | None) -> Text:
    if a is None:
        return Text("")
    return Text.assemble((a.symbol, a.color), " ", a.label)


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def sparkline(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def summary_table(rows: list[SummaryRow], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, box=None,
                  padding=(0, 1))
    table.add_column("Bedömning", no_wrap=True)
    table.add_column("Antal", justify="right")
    table.add_column("Andel", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, overflow="crop")
    for row in rows:
        table.add_row(Text.assemble((row.symbol, row.color), " ", row.label), str(row.count),
                      row.share, Text(bar(row.fraction), style=row.color))
    return table


def status(view: StatusView) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"Status {view.period_text} ({view.period})", style="bold"), Text(""),
        summary_table(view.summary, f"Måluppfyllelse, {view.level.lower()}: "
                      f"{sum(r.count for r in view.summary)} st"), Text("")]
    goals: dict[str, list] = {}
    for row in view.rows:
        goals.setdefault(row.goal_id, []).append(row)
    for goal_id, rows in goals.items():
        table = Table(title=f"{goal_id} {rows[0].goal_title}", title_justify="left",
                      title_style="bold", expand=True, show_lines=False)
        table.add_column("Id", no_wrap=True)
        table.add_column("Mål", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Bedömning", no_wrap=True)
        table.add_column("Prognos", no_wrap=True)
        table.add_column("Kommentar", no_wrap=True)
        for row in rows:
            comment = ("klar" if row.ready else "utkast") if row.has_comment else "saknas"
            table.add_row(row.id, row.text, badge(row.assessment), badge(row.forecast),
                          Text(comment, style="" if row.ready else "yellow"))
        parts += [table, Text("")]
    return Group(*parts)


def todo(groups: dict[str, list[TodoItem]], period_text: str) -> RenderableType:
    if not groups:
        return Text(f"Nothing missing for {period_text}.")
    total = sum(len(items) for items in groups.values())
    parts: list[RenderableType] = [
        Text(f"{total} targets need work for {period_text}", style="bold")]
    for who, items in groups.items():
        table = Table(title=f"{who} ({len(items)})", title_justify="left", title_style="bold",
                      expand=True)
        table.add_column("Id", no_wrap=True)
        table.add_column("Mål", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Saknas", no_wrap=True)
        for item in items:
            table.add_row(item.target.id, item.target.text, ", ".join(item.missing))
        parts += [Text(""), table]
    return Group(*parts)


def measure_lines(view: MeasureView) -> list[RenderableType]:
    lines: list[RenderableType] = [Text(view.name, style="bold")]
    facts = []
    if view.latest:
        facts.append(f"senast {view.latest.key}: {view.latest.text}")
    if view.target:
        facts.append(f"mål: {view.target}")
    if view.baseline:
        facts.append(f"basår {view.baseline.key}: {view.baseline.text}")
    facts += [f"{ref.label} {ref.latest.key}: {ref.latest.text}" for ref in view.references]
    facts += view.forecasts
    if facts:
        lines.append(Padding(Text(" · ".join(facts)), (0, 0, 0, 2)))
    if view.progress is not None:
        lines.append(Text.assemble("  ", (bar(view.progress), "cyan"),
                                   f" {swedish.share(round(view.progress * 1000), 1000)} av "
                                   "vägen till målet"))
    spark = sparkline([p.value for p in view.series])
    if spark:
        label, style = TREND[view.trend]
        lines.append(Text.assemble("  ", (spark, "cyan"), " ",
                                   f"{view.series[0].key}–{view.series[-1].key} ",
                                   (label, style)))
    return lines


def detail(d: GoalDetail) -> RenderableType:
    goal = d.goal
    parts: list[RenderableType] = [Text(f"{goal.id} {goal.title}", style="bold")]
    meta = [d.level]
    if d.parent:
        meta.append(f"bidrar till {d.parent.id} {d.parent.title}")
    if goal.responsible:
        meta.append(f"ansvarig: {goal.responsible}")
    parts.append(Text(" · ".join(meta), style="dim"))
    for item in d.targets:
        row = item.row
        parts += [Text(""), Text(f"{row.id} {row.text}", style="bold")]
        if row.target:
            parts.append(Text(f"Mål: {row.target}" + (f" · utfall: {row.value_text}"
                                                     if row.value_text else "")))
        if item.history:
            history = Table(box=None, padding=(0, 2, 0, 0), show_header=True)
            history.add_column("Period")
            history.add_column("Bedömning")
            history.add_column("Prognos")
            for period, assessment, forecast in item.history:
                history.add_row(period, badge(assessment), badge(forecast))
            parts.append(Padding(history, (0, 0, 0, 2)))
        parts.append(Text(f"Kommentar {d.period}:", style="underline"))
        if row.has_comment:
            parts += [Padding(Text(p), (0, 0, 1 if i < len(row.paragraphs) - 1 else 0, 2))
                      for i, p in enumerate(row.paragraphs)]
        else:
            parts.append(Padding(Text("Ingen kommentar", style="italic"), (0, 0, 0, 2)))
    if d.measures:
        parts += [Text(""), Text("Mått", style="bold underline")]
        for view in d.measures:
            parts += measure_lines(view)
    return Group(*parts)


def measures(views: Iterable[MeasureView]) -> Table:
    table = Table(expand=True)
    table.add_column("Mål", no_wrap=True)
    table.add_column("Mått", ratio=1, overflow="fold")
    table.add_column("Senast", no_wrap=True, justify="right")
    table.add_column("Mål", overflow="fold")
    table.add_column("Basår", no_wrap=True, justify="right")
    table.add_column("Jämförelse", overflow="fold")
    table.add_column("Trend", no_wrap=True)
    for view in views:
        label, style = TREND[view.trend]
        table.add_row(
            view.goal_id, view.name,
            f"{view.latest.text} ({view.latest.key})" if view.latest else "–",
            view.target or "–",
            f"{view.baseline.text} ({view.baseline.key})" if view.baseline else "–",
            "\n".join(f"{r.label}: {r.latest.text} ({r.latest.key})" for r in view.references)
            or "–",
            Text.assemble(sparkline([p.value for p in view.series]), " ", (label, style)))
    return table
