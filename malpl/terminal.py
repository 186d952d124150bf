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

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text

from malpl import swedish
from malpl.i18n import N_, _, ngettext
from malpl.measureviews import TREND_LABELS
from malpl.snapshot import missing_text
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.snapshot import LevelSummary, Snapshot, TodoItem
    from malpl.views import (
        Assessment,
        GoalDetail,
        MeasureView,
        SummaryRow,
        TargetHistory,
        TargetRow,
    )

SPARKS = "▁▂▃▄▅▆▇█"
#: The trend as an arrow and a colour, beside the Swedish word every output uses.
TREND = {key: (f"{arrow} {TREND_LABELS[key]}".strip(), colour) for key, arrow, colour in (
    ("better", "↗", "green"), ("worse", "↘", "red"), ("unchanged", "→", "yellow"),
    ("not_assessable", "?", ""), ("", "", ""))}
#: Ids are short; a very long one folds instead of pushing the other columns out.
ID_WIDTH = 16
#: No fixed column gives way below this width.
FLOOR = 6


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


def natural_width(header: str, cells: Iterable[Text]) -> int:
    """The width a column needs to show its widest line without wrapping."""
    return max([cell_len(header), *(cell_len(line) for c in cells for line in c.plain.split("\n"))])


def fit(natural: list[int], width: int, flex_min: int) -> tuple[list[int], int]:
    """Widths of the fixed columns and of the one flexible column of a table ``width`` wide.

    Fixed columns keep their natural width while the flexible one (the text people
    read) can have ``flex_min``; otherwise the widest fixed column gives way first,
    down to ``FLOOR``, where its cells wrap or fold.
    """
    room = width - 3 * (len(natural) + 1) - 1  # a border and two spaces per column
    fixed = list(natural)
    while sum(fixed) + flex_min > room and max(fixed) > FLOOR:
        fixed[fixed.index(max(fixed))] -= 1
    return fixed, max(1, room - sum(fixed))


class AtWidth:
    """A renderable built for the width the console has when it is printed."""

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions
                         ) -> Iterator[RenderableType]:
        yield self.build(options.max_width)


def grid(columns: list[Column], flexible: int, width: int, flex_min: int,
         title: Text | None = None) -> Table:
    """A bordered table whose column ``flexible`` takes the room the others leave."""
    fixed, flex = fit([c.width or 0 for i, c in enumerate(columns) if i != flexible],
                      width, flex_min)
    widths = iter(fixed)
    for i, column in enumerate(columns):
        column.width = flex if i == flexible else next(widths)
    return Table(*columns, title=title, title_justify="left")


def summary_table(rows: list[SummaryRow], title: str) -> Table:
    table = Table(title=Text(title), title_justify="left", show_edge=False, box=None,
                  padding=(0, 1))
    table.add_column(_("Assessment"), no_wrap=True)
    table.add_column(_("Count"), justify="right")
    table.add_column(_("Share"), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, overflow="crop")
    for row in rows:
        table.add_row(Text.assemble(plain(row.symbol, row.color), " ", plain(row.label)),
                      str(row.count), row.share, Text(bar(row.fraction), style=row.color))
    return table


def _comment_state(row: TargetRow) -> Text:
    if not row.followed and row.rollup:
        return Text("–")  # summarised by what is under it; nothing to write this period
    if not row.has_comment:
        return Text(_("missing"), style="yellow")
    return Text(_("done")) if row.ready else Text(_("draft"), style="yellow")


def status(view: Snapshot) -> RenderableType:
    forecasts = any(row.forecast for row in view.rows)
    headers = ([_("Id"), _("Goal"), _("Assessment")] + ([_("Forecast")] if forecasts else [])
               + [_("Comment")])
    goals: dict[str, tuple[Text, list[list[Text]]]] = {}
    body_of: dict[str, str] = {}
    for row in view.rows:
        text = plain(row.text)
        if row.rollup:  # what is under the goal is news: it wraps rather than being cut
            text.append_text(plain("\n" + _("Combined: {rollup}").format(rollup=row.rollup),
                                   "dim"))
            text.no_wrap, text.overflow = False, "fold"
        cells = [plain(row.id), text, badge(row.assessment)]
        cells += [badge(row.forecast)] if forecasts else []
        cells.append(_comment_state(row))
        title = plain(f"{row.goal_id} {row.goal_title}", "bold")
        goals.setdefault(row.goal_id, (title, []))[1].append(cells)
        body_of.setdefault(row.goal_id, row.body)
    every = [cells for _, rows in goals.values() for cells in rows]
    natural = [natural_width(h, [cells[i] for cells in every]) for i, h in enumerate(headers)]

    # Several bodies: each body's goals under its name, in the order of malpl.yaml.
    headings = {b.key: b.name for b in view.bodies} if len(view.bodies) > 1 else {}
    order = sorted(goals, key=lambda g: list(headings).index(body_of[g])
                   if body_of[g] in headings else len(headings))

    def tables(width: int) -> RenderableType:
        parts: list[RenderableType] = []
        body = None
        for goal_id in order:
            title, rows = goals[goal_id]
            if headings and body_of[goal_id] != body:
                body = body_of[goal_id]
                parts += [plain(headings.get(body, body), "bold underline"), Text("")]
            columns = [Column(h, width=n, overflow="fold") for h, n in zip(headers, natural,
                                                                             strict=True)]
            columns[0].width = min(natural[0], ID_WIDTH)
            columns[1].no_wrap, columns[1].overflow = True, "ellipsis"
            columns[-1].no_wrap = True
            table = grid(columns, 1, width, flex_min=20, title=title)
            for cells in rows:
                table.add_row(*cells)
            parts += [table, Text("")]
        return Group(*parts)

    heading = _("Status {period_text} ({period})").format(period_text=view.period_text,
                                                          period=view.period)
    return Group(plain(heading, "bold"), Text(""),
                 AtWidth(lambda width: summaries(view.levels(), view.config.labels.summary,
                                                 width)),
                 Text(""), AtWidth(tables))


def summaries(levels: list[LevelSummary], title: str, width: int) -> RenderableType:
    """Måluppfyllelse of every level: side by side where they fit, else one below the
    other. Each goal and target is counted once, in its own level, never added up across
    levels."""
    steps = max(len(s.label) for s in levels[0].steps) + 3
    columns = [max(11, *(len(word) for word in level.label.split())) for level in levels]
    if len(levels) > 1 and steps + sum(c + 2 for c in columns) <= width:
        return levels_table(levels, title, columns)
    parts: list[RenderableType] = []
    for level in levels:
        parts += [summary_table(level.steps, _("{title}, {level}: {count} in all").format(
            title=title, level=level.label.lower(), count=level.total)), Text("")]
    return Group(*parts[:-1])


def levels_table(levels: list[LevelSummary], title: str, widths: list[int]) -> Table:
    table = Table(title=plain(title), title_justify="left", show_edge=False, box=None,
                  padding=(0, 1))
    table.add_column(_("Assessment"), no_wrap=True)
    for level, width in zip(levels, widths, strict=True):
        table.add_column(plain(level.label), justify="right", min_width=width)
    for i, step in enumerate(levels[0].steps):
        table.add_row(Text.assemble(plain(step.symbol, step.color), " ", plain(step.label)),
                      *(f"{level.steps[i].count} ({level.steps[i].share})" for level in levels))
    table.add_row(Text(_("Total"), style="bold"), *(str(level.total) for level in levels))
    return table


def todo(groups: dict[str, list[TodoItem]], period_text: str) -> RenderableType:
    if not groups:
        return plain(_("Nothing missing for {period}.").format(period=period_text))
    total = sum(len(items) for items in groups.values())
    headers = (_("Id"), _("Goal"), _("Missing"))
    rows = {who: [[plain(item.target.id), plain(item.target.text),
                   Text(missing_text(item.missing, "\n"))] for item in items]
            for who, items in groups.items()}
    every = [cells for group in rows.values() for cells in group]
    natural = [natural_width(h, [cells[i] for cells in every])
               for i, h in enumerate(headers)]

    def tables(width: int) -> RenderableType:
        parts: list[RenderableType] = []
        for who, group in rows.items():
            table = grid([Column(headers[0], width=min(natural[0], ID_WIDTH), overflow="fold"),
                          Column(headers[1], no_wrap=True, overflow="ellipsis"),
                          Column(headers[2], width=natural[2])], 1, width, flex_min=20,
                         title=plain(f"{who} ({len(group)})", "bold"))
            for cells in group:
                table.add_row(*cells)
            parts += [Text(""), table]
        return Group(*parts)

    what = ngettext("{n} follow-up needs work for {period}",
                    "{n} follow-ups need work for {period}", total)
    return Group(plain(what.format(n=total, period=period_text), "bold"),
                 AtWidth(tables))


def _assessed_by(by: str, basis: str, why: str) -> str:
    """Who made an indicator's assessment, and from which value."""
    if by == "hand":
        return _("set by hand (value {basis})").format(basis=basis) if basis else \
            _("set by hand")
    if by == "rule":
        return _("computed from {basis}").format(basis=basis)
    return _("the rule gives no assessment: {why}").format(why=why)


def _facts(view: MeasureView) -> list[str]:
    facts = []
    if view.latest:
        facts.append(_("latest {year}: {value}").format(year=view.latest.key,
                                                        value=view.latest.text))
    if view.target:
        facts.append(_("target: {target}").format(target=view.target))
    if view.baseline:
        facts.append(_("baseline {year}: {value}").format(year=view.baseline.key,
                                                          value=view.baseline.text))
    facts += [f"{ref.label} {ref.latest.key}: {ref.latest.text}" for ref in view.references]
    if view.fetched:
        facts.append(_("Source: {source}").format(source=view.source))
    return facts + view.forecasts


def _indicator_line(view: MeasureView) -> list[RenderableType]:
    """An indicator's assessment in the period, and who or what made it."""
    found = view.indicator
    if found is None:
        return []
    return [_indented(Text.assemble(badge(found.assessment), plain(
        " · " + _assessed_by(found.by, found.basis, found.why), "dim")))]


def measure_lines(view: MeasureView) -> list[RenderableType]:
    lines: list[RenderableType] = [plain(view.name, "bold")]
    facts = _facts(view)
    if facts:
        lines.append(Padding(plain(" · ".join(facts)), (0, 0, 0, 2), expand=False))
    lines += _indicator_line(view)
    if view.progress is not None:
        way = _("{share} of the way to the target").format(
            share=swedish.share(round(view.progress * 1000), 1000))
        lines.append(Text.assemble("  ", (bar(view.progress), "cyan"), " ", way))
    span = f"{view.series[0].key}–{view.series[-1].key} " if len(view.series) > 1 else ""
    lines.append(Text.assemble("  ", (_spark(view), "cyan"), plain(span), _trend(view),
                               " " + _("(stated)") if view.trend_manual else ""))
    lines += [_indented(plain(n, "dim")) for n in _notes(view)]
    return lines


def _notes(view: MeasureView) -> list[str]:
    """What a reader must know to read the series: gaps, breaks and the measure's note."""
    notes = [_("{year}: missing – {reason}").format(year=m.key, reason=m.text) if m.text
             else _("{year}: missing").format(year=m.key) for m in view.missing]
    notes += [_("the series breaks {year}: {reason}").format(year=m.key, reason=m.text)
              for m in view.breaks]
    return notes + ([view.note] if view.note else [])


def _indented(renderable: RenderableType, bottom: int = 0) -> Padding:
    return Padding(renderable, (0, 0, bottom, 2), expand=False)


def _follow_up(item: TargetHistory, period: str) -> list[RenderableType]:
    """A goal's or target's assessments over the periods and the chosen period's comment."""
    row, parts = item.row, []
    if item.history:
        history = Table(box=None, padding=(0, 2, 0, 0), show_header=True)
        history.add_column(_("Period"))
        history.add_column(_("Assessment"))
        history.add_column(_("Forecast"))
        for key, assessment, forecast in item.history:
            history.add_row(plain(key), badge(assessment), badge(forecast))
        parts.append(_indented(history))
    if row.rollup:
        combined = _("Combined {period}: {rollup}").format(period=period, rollup=row.rollup)
        parts.append(_indented(plain(combined, "dim")))
    if not row.followed and not item.history:
        return parts
    parts.append(plain(_("Comment {period}:").format(period=period), "underline"))
    if row.has_comment:
        last = len(row.paragraphs) - 1
        parts += [_indented(plain(p), 1 if i < last else 0)
                  for i, p in enumerate(row.paragraphs)]
    else:
        parts.append(_indented(Text(_("No comment"), style="italic")))
    return parts


def detail(d: GoalDetail) -> RenderableType:
    goal = d.goal
    parts: list[RenderableType] = [plain(f"{goal.id} {goal.title}", "bold")]
    meta = [d.level] + ([d.body] if d.body else [])
    if goal.responsible:
        meta.append(_("responsible: {name}").format(name=goal.responsible))
    parts.append(plain(" · ".join(meta), "dim"))
    parts += [plain(_("Contributes to {id} {title}").format(id=p.id, title=p.title), "dim")
              for p in d.parents]
    if d.own is not None:
        parts += _follow_up(d.own, d.period)
    for body, children in (d.children or {}).items():
        parts += [Text(""), plain(_("Broken down by {body}:").format(body=body), "underline")]
        parts += [_indented(plain(f"{c.id} {c.title}")) for c in children]
    for item in d.targets:
        row = item.row
        parts += [Text(""), plain(f"{row.id} {row.text}", "bold")]
        if row.target:
            facts = [_("Target: {target}").format(target=row.target)]
            facts += [_("outcome: {value}").format(value=row.value_text)] if row.value_text else []
            parts.append(plain(" · ".join(facts)))
        if row.kind == "indicator":
            parts.append(plain(_assessed_by(row.assessed_by, row.basis, row.why), "dim"))
        parts += _follow_up(item, d.period)
    if d.measures:
        parts += [Text(""), Text(_("Measures"), style="bold underline")]
        for view in d.measures:
            parts += measure_lines(view)
    return Group(*parts)


def _latest(view: MeasureView) -> Text:
    return plain(f"{view.latest.text} ({view.latest.key})" if view.latest else "–")


def _baseline(view: MeasureView) -> str:
    return f"{view.baseline.text} ({view.baseline.key})" if view.baseline else "–"


def _references(view: MeasureView) -> str:
    return "\n".join(f"{r.label}: {r.latest.text} ({r.latest.key})" for r in view.references)


#: The measures table's columns. When the measure's name would have fewer than
#: ``NAME_WIDTH`` columns, the optional ones fold under it, the last one first.
HEADERS = {"goal": N_("Id"), "name": N_("Measure"), "latest": N_("Latest"),
           "target": N_("Target"), "baseline": N_("Baseline"), "references": N_("Comparison"),
           "trend": N_("Trend")}
OPTIONAL = ("target", "baseline", "references")
NAME_WIDTH = 30
PROSE_WIDTH = 24


def _spark(view: MeasureView) -> str:
    """The series as a sparkline and a space, or nothing when there is no value."""
    spark = sparkline([p.value for p in view.series])
    return f"{spark} " if spark else ""


def _trend(view: MeasureView) -> Text:
    """The trend's arrow and word in its colour, or dimmed, that there is none and why."""
    if view.trend_reason_text:
        return plain(view.trend_text, "dim")
    label, style = TREND[view.trend]
    return Text(label, style=style)


def _measure_cells(view: MeasureView) -> dict[str, Text]:
    return {"goal": plain(view.id), "name": plain(view.name), "latest": _latest(view),
            "target": plain(view.target or "–"), "baseline": plain(_baseline(view)),
            "references": plain(_references(view) or "–"),
            "trend": Text.assemble(_spark(view), _trend(view))}


def _folded(view: MeasureView, folded: tuple[str, ...]) -> Text:
    """The measure's name, with the columns that did not fit as dim lines under it."""
    lines = []
    if "target" in folded and view.target:
        lines.append(_("target: {target}").format(target=view.target))
    if "baseline" in folded and view.baseline:
        lines.append(_("baseline: {value}").format(value=_baseline(view)))
    if "references" in folded and view.references:
        lines.append(_references(view))
    lines += _notes(view)
    name = plain(view.name)
    if view.indicator is not None:
        found = view.indicator
        name.append_text(Text.assemble("\n", badge(found.assessment), plain(
            " · " + _assessed_by(found.by, found.basis, found.why), "dim")))
    if lines:
        name.append_text(plain("\n" + "\n".join(lines), "dim"))
    return name


def measures(views: Iterable[MeasureView]) -> AtWidth:
    """All measures; on a narrow terminal comparison, baseline and then target fold
    under the measure's name, so that the name keeps room to be read."""
    views = list(views)
    rows = [_measure_cells(view) for view in views]
    natural = {key: natural_width(_(header), [r[key] for r in rows])
               for key, header in HEADERS.items()}
    for key in ("target", "references"):  # prose: wraps well enough
        natural[key] = min(natural[key], PROSE_WIDTH)

    def table(width: int) -> Table:
        for keep in range(len(OPTIONAL), -1, -1):
            keys = ["goal", "name", "latest", *OPTIONAL[:keep], "trend"]
            if fit([natural[k] for k in keys if k != "name"], width, 0)[1] >= NAME_WIDTH:
                break
        columns = [Column(_(HEADERS[k]), width=natural[k], overflow="fold",
                          justify="right" if k in ("latest", "baseline") else "left")
                   for k in keys]
        columns[0].width = min(natural["goal"], ID_WIDTH)
        result = grid(columns, 1, width, flex_min=NAME_WIDTH)
        for view, cells in zip(views, rows, strict=True):
            result.add_row(*(_folded(view, OPTIONAL[keep:]) if k == "name" else cells[k]
                             for k in keys))
        return result

    return AtWidth(table)
