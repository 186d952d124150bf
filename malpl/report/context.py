"""What the report template shows, as escaped Markdown and numbers only.

Every string from a goal file or ``malpl.yaml`` becomes :class:`~malpl.markdown.Md`
here, through :func:`~malpl.markdown.safe`, so a template cannot print one raw.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property, lru_cache
from typing import Any

import msgspec

from malpl import measureviews, swedish, views
from malpl.i18n import _
from malpl.markdown import Md, escape, safe, safe_lazily
from malpl.model import Body, Config, Goal, ReportOptions
from malpl.periods import Period, PeriodError, parse_period
from malpl.repository import MalplError, Repository
from malpl.snapshot import UNDER_GOALS, LevelSummary, Snapshot, snapshot
from malpl.text import paragraphs

GENERATOR = "malpl"
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class Section(msgspec.Struct):
    """One goal in a chapter, with how deep its heading sits."""

    depth: int
    goal: Goal


def sections(goals: list[Goal]) -> list[Section]:
    """A chapter's goals in reading order: each goal, then the goals of the same body
    that break it down (a goal serving two of them is shown under the first)."""
    ids = {g.id for g in goals}
    children: dict[str | None, list[Goal]] = {}
    for goal in goals:
        parent = next((p for p in goal.parents if p in ids), None)
        children.setdefault(parent, []).append(goal)
    ordered: list[Section] = []

    def walk(parent: str | None, depth: int) -> None:
        for goal in children.get(parent, []):
            ordered.append(Section(depth, goal))
            walk(goal.id, min(depth + 1, 3))

    walk(None, 1)
    return ordered


def _color(value: str) -> Md:
    """A colour goes into an attribute unescaped, so it must be exactly #rrggbb."""
    if not _COLOR.fullmatch(value):
        raise MalplError(_("'{value}' is not a colour").format(value=value),
                         _("write colours as #rrggbb"))
    return Md(value)


def _assessment(a: views.Assessment | views.SummaryRow) -> dict[str, Any]:
    return {**safe(a), "color": _color(a.color)}


def _row(row: views.TargetRow, options: ReportOptions,
         previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A follow-up row; without an assessment it has no mark when the practice is to leave
    it blank (``report.unassessed_mark: false``). A draft says so (``draft``); ``previous``
    is the assessment of the period before (:func:`_previous`)."""
    marked = row.assessment.key is not None or options.unassessed_mark
    return {**safe(row), "assessment": _assessment(row.assessment) if marked else None,
            "forecast": _assessment(row.forecast) if row.forecast else None,
            "previous": previous}


@lru_cache(maxsize=256)
def _period_of(key: str, scheme: str) -> Period | None:
    """A follow-up's period (None for a key check reports), parsed once per report."""
    try:
        return parse_period(key, scheme)
    except PeriodError:
        return None


def _previous(config: Config, period: Period, goal: Goal, row: views.TargetRow
              ) -> dict[str, Any] | None:
    """A goal's or target's assessment in the last earlier period it was assessed in (and
    ready), for the reader to see the change: its assessment and the period, or None."""
    if row.kind == "goal":
        follows = goal.followups
    elif row.kind == "target":
        follows = next((t.followups for t in goal.targets if t.id == row.id), {})
    else:  # an indicator's assessment follows its rule: its history is its values
        return None
    earlier = []
    for key, follow in follows.items():
        if follow.assessment is None or not follow.ready:
            continue
        when = _period_of(key, config.periods.scheme)
        if when is not None and when.sort_key < period.sort_key:
            earlier.append((when.sort_key, when, follow.assessment))
    if not earlier:
        return None
    _, when, key = max(earlier, key=lambda e: e[0])
    return {"assessment": _assessment(measureviews.Assessment.of(config, key)),
            "period": escape(swedish.lower_first(views.period_label(config, when)))}


def _summaries(summaries: list[LevelSummary]) -> dict[str, Any]:
    """Måluppfyllelse of the levels of one selection or body, for one table: a column per
    level (each goal and target counted once, in its own level), a row per step.

    Each column's ``rule`` (its dashes under the header) is as long as its header, and the
    first's as its longest step: pandoc sizes the columns by them, and a column of a long
    level's name ("Kommunfullmäktiges mål") would otherwise break it inside a word."""
    steps = summaries[0].steps if summaries else []
    return {"levels": [{**safe({"label": s.label, "total": s.total, "assessed": s.assessed}),
                        "rule": _rule(s.label)} for s in summaries],
            "rule": _rule(max([s.label for s in steps], key=len, default="Bedömning")),
            "rows": [{"step": _assessment(step),
                      "cells": [Md(f"{s.steps[i].count} ({s.steps[i].share})")
                                for s in summaries]}
                     for i, step in enumerate(summaries[0].steps)] if summaries else []}


def _rule(header: str) -> Md:
    """A table column's dashes: as many as its widest word-run needs, at least ten."""
    return Md("-" * max(len(header) + 2, 10))


def chapter_number(number: int, goals: list[Goal]) -> int | None:
    """A chapter's number where it agrees with the ids under it (chapter 1 over 1.1–1.15,
    as the source's "1 Kommunstyrelsens Utvecklingsmål"), else None: a goal's id is then
    its only number, and no heading reads "1 Barn och unga" over "1:1"."""
    tops = [g.id for g in goals if not any(p in {x.id for x in goals} for p in g.parents)]
    agrees = tops and all(re.match(rf"{number}[.:]\d", ident) for ident in tops)
    return number if agrees else None


class Chart(msgspec.Struct):
    """One image malpl draws: its file name, its short visible caption, the full text that
    describes it (its alt text), what it shows."""

    name: str
    caption: str
    alt: str
    measure: views.MeasureView | None = None


class Selection(msgspec.Struct, dict=True):  # dict: for its cached properties
    """What one report covers: the period's snapshot of the chosen bodies, as published
    (drafts left out when ``report.drafts`` says so)."""

    repo: Repository
    snap: Snapshot

    @property
    def period(self) -> Period:
        return self.snap.period

    @property
    def bodies(self) -> list[Body]:
        return self.snap.bodies

    @property
    def goals(self) -> list[Goal]:
        return self.snap.goals

    @property
    def rows(self) -> list[views.TargetRow]:
        return self.snap.rows

    @property
    def measures(self) -> list[views.MeasureView]:
        return self.snap.measures

    @property
    def level(self) -> str:
        return self.snap.level

    @property
    def summary(self) -> list[views.SummaryRow]:
        return self.snap.headline.steps

    @cached_property
    def charts(self) -> tuple[Chart, dict[tuple[str, str], Chart]]:
        """:func:`charts_of` this selection, worked out once for the Markdown and its images."""
        return charts_of(self)

    @property
    def counted(self) -> int:
        return self.snap.headline.total


def select(repo: Repository, period: Period, bodies: list[str] | None = None,
           level: str | None = None) -> Selection:
    """The part of the repository a report covers; every body when ``bodies`` is None."""
    return Selection(repo, snapshot(repo, period, bodies=bodies, level=level, published=True))


def charts_of(selection: Selection) -> tuple[Chart, dict[tuple[str, str], Chart]]:
    """The summary chart and one chart per measure with two points or more.

    Files are numbered, never named after an id: an id may hold any character.
    """
    config = selection.repo.config
    period_text = views.period_label(config, selection.period)
    level = views.level_label(config, selection.level)
    about = f"{config.labels.summary} {swedish.lower_first(period_text)}, {level.lower()}"
    head = Chart("maluppfyllelse.png", about,
                 f"Stapeldiagram: {swedish.lower_first(about)}. " + "; ".join(
                     f"{r.label} {r.count} av {selection.counted} ({r.share})"
                     for r in selection.summary) + ".")
    drawn = [m for m in selection.measures if len(m.series) >= 2]
    return head, {(m.goal_id, m.id): Chart(f"matt-{i}.png", chart_caption(m), chart_alt(m), m)
                  for i, m in enumerate(drawn, 1)}


def _parents(repo: Repository, goal: Goal, names: dict[str, str]) -> list[dict[str, Any]]:
    """The higher goals a goal serves, named with their body when it is another one."""
    found = []
    for ident in goal.parents:
        parent = repo.goal(ident)
        if parent is not None:
            other = parent.body_key != goal.body_key
            found.append(safe({"id": parent.id, "title": parent.title,
                               "body": names.get(parent.body_key, "") if other else ""}))
    return found


def _section(selection: Selection, section: Section,
             by_goal: dict[str, list[views.TargetRow]],
             measures: dict[tuple[str, str], views.MeasureView],
             charts: dict[tuple[str, str], Chart], image_src: dict[str, str],
             names: dict[str, str], several_levels: bool) -> dict[str, Any]:
    """One goal's part of the report; ``measures`` are escaped already (shared with its
    charts)."""
    goal, config = section.goal, selection.repo.config
    keys = [(goal.id, m.id) for m in goal.measures]
    rows = by_goal.get(goal.id, [])
    own = next((r for r in rows if r.kind == "goal"), None)
    depth = min(section.depth + 1, 4)
    meta = []
    if several_levels:  # the level is news only among several
        meta.append(escape(views.level_label(config, goal.level)))
    if goal.responsible:
        meta.append(Md("Ansvarig: ") + escape(goal.responsible))
    return {
        "depth": depth,
        "heading": Md("#" * depth),
        "goal": safe_lazily(goal),
        "description": safe(paragraphs(goal.description)),
        "meta": Md(" · ").join(meta),
        "parents": _parents(selection.repo, goal, names),
        "own": (_row(own, config.report, _previous(config, selection.period, goal, own))
                if own is not None and (own.followed or own.rollup) else None),
        "rows_label": escape(views.rows_label(config, goal.level)),
        "rows": [_row(r, config.report, _previous(config, selection.period, goal, r))
                 for r in rows if r.kind in UNDER_GOALS],
        "measures": [measures[k] for m, k in zip(goal.measures, keys, strict=True)
                     if k in measures and not m.assessed],  # an indicator is its row
        "charts": [_chart(charts[k], image_src, measures.get(k)) for k in keys if k in charts],
    }


# A line break and a paragraph break inside a table cell. GitHub shows <br>; pandoc reads
# it as raw HTML the filter must split cells at, which on a large report costs more than
# all else malpl adds. For Word the breaks are written as the OOXML pandoc itself would
# write (a break run; a new paragraph in the cell's style), which the filter lets through.
CELL_BREAKS = {
    "md": (Md("<br>"), Md("<br><br>")),
    "docx": (Md('`<w:r><w:br/></w:r>`{=openxml}'),
             Md('`</w:p><w:p><w:pPr><w:pStyle w:val="Compact"/></w:pPr>`{=openxml}')),
}


def report_context(selection: Selection, today: dt.date | None, image_src: dict[str, str],
                   logo: str | None = None, target: str = "md") -> dict[str, Any]:
    """Everything the template shows: escaped Markdown (:class:`Md`) and numbers only.

    ``target`` is the format the Markdown is for: "docx" writes breaks in table cells
    as Word's own (``br`` and ``par``), anything else as GitHub's ``<br>``.

    ``image_src`` maps each chart's file name to the address the Markdown links.
    The report has one numbered chapter per body, in the configured order
    ("1 Kommunstyrelsen"); a repository of one body names its chapter with the
    report's title, as a board's own report does ("1 Kommunstyrelsens Utvecklingsmål").
    """
    config = selection.repo.config
    head, charts = selection.charts
    summary = selection.summary
    by_goal: dict[str, list[views.TargetRow]] = {}
    for row in selection.rows:
        by_goal.setdefault(row.goal_id, []).append(row)
    measures = {(m.goal_id, m.id): safe_lazily(m) for m in selection.measures}
    several_levels = len({g.level for g in selection.goals}) > 1
    names = {b.key: b.name for b in config.body_list()}
    with_goals = [b for b in selection.bodies if any(g.body_key == b.key for g in selection.goals)]
    chapters = []
    several = len(with_goals) > 1
    for number, body in enumerate(with_goals, 1):
        goals = [g for g in selection.goals if g.body_key == body.key]
        chapters.append({
            "body": safe(body), "heading": Md("#"), "number": chapter_number(number, goals),
            "summaries": _summaries(selection.snap.levels(body.key)) if several else None,
            # the body's own words on the period (bodies: [{summaries: {T2-2024: …}}])
            "summary_text": safe(paragraphs(body.summaries.get(str(selection.period), ""))),
            "name": escape(body.name if config.bodies else config.title),
            "sections": [_section(selection, s, by_goal, measures, charts, image_src, names,
                                  several_levels) for s in sections(goals)]})
    period_text = views.period_label(config, selection.period)
    body_names = ", ".join(b.name for b in with_goals) or config.body
    context = safe({
        "config": config,
        "organisation": config.organisation.name,
        "body": body_names,
        "title": config.title,
        "period": str(selection.period),
        "period_text": period_text,
        "period_words": swedish.lower_first(period_text),
        "date": swedish.date(today) if today is not None else None,
        "labels": config.labels,
        "level": views.level_label(config, selection.level),
        "total": selection.counted,
        "assessed": selection.snap.headline.assessed,
        "drafts": len(selection.snap.drafts),
    })
    context.update({
        "subtitle": Md(" · ").join([context["organisation"], context["body"],
                                    context["period_text"]]),
        "byline": Md(" · ").join([context["organisation"], context["body"]]),
        # The page header shows the author: one line, so a report of several bodies names
        # the organisation alone, and its bodies go under the title (``bodies``).
        "author": (context["organisation"] if len(with_goals) > 1 else
                   Md(" · ").join([context["organisation"], context["body"]])),
        "bodies": context["body"] if len(with_goals) > 1 else None,
        "document_title": context["title"] + Md(" – ") + context["period_text"],
        "options": safe(config.report),
        "logo": Md(image_src[logo]) if logo else None,
        "summary": [_assessment(r) for r in summary],
        "summaries": _summaries(selection.snap.levels()),
        "summary_chart": _chart(head, image_src) if head.name in image_src else None,
        "chapters": chapters,
        "generator": Md(GENERATOR),
    })
    context["br"], context["par"] = CELL_BREAKS.get(target, CELL_BREAKS["md"])
    context["styled"] = target != "md"  # coloured symbols and styled labels for pandoc
    return context


def _chart(chart: Chart, image_src: dict[str, str], measure: Any = None) -> dict[str, Any]:
    """A picture for the template: the short caption shows, the full text is the link's
    title, which the report's filter makes the picture's alt text (once) in HTML and Word.
    ``measure``: the chart's measure, escaped already."""
    return {"file": Md(image_src[chart.name]), "caption": escape(chart.caption),
            "alt": Md(str(escape(chart.alt)).replace('"', '\\"')),
            "measure": measure if measure is not None else safe_lazily(chart.measure)}


def _when(key: str) -> str:
    """A year or period as words: '2023', 'tertial 2 2023'."""
    from malpl.svgchart import period_words

    return swedish.lower_first(" ".join(w for w in period_words(key) if w))


def chart_caption(view: views.MeasureView) -> str:
    """The short caption under a measure's chart: what, when, and the target."""
    keys = [p.key for p in view.series]
    first, last = (_when(keys[0]), _when(keys[-1])) if keys else ("", "")
    head, _, year = first.rpartition(" ")
    if first == last:
        span = first
    elif head and last.startswith(head.rpartition(" ")[0] + " ") and last.endswith(" " + year):
        span = f"{head}–{last.split(' ')[1]} {year}"  # 'tertial 1–3 2023'
    else:
        span = f"{first}–{last}"
    target = f", mål {view.target}" if view.target else ""
    return f"{view.name.rstrip('. ')} {span}".rstrip() + target


def chart_alt(view: views.MeasureView) -> str:
    """Everything a measure's chart shows, as text: its alt text, written once."""
    def values(points: list[measureviews.Point]) -> str:
        return ", ".join(f"{_when(p.key)}: {p.text}" for p in points)

    unit = f" ({view.unit})" if view.unit else ""
    parts = [f"Linjediagram: {view.name}{unit}.", f"Utfall {values(view.series)}."]
    parts += [f"{ref.label}{' (mål)' if ref.label == view.target_reference else ''}: "
              f"{values(ref.series)}." for ref in view.references]
    parts += [f"Värde saknas {_when(m.key)}" + (f": {m.text.rstrip('.')}." if m.text else ".")
              for m in view.missing]
    parts += [f"Serien bryts {_when(m.key)}" + (f": {m.text.rstrip('.')}." if m.text else ".")
              for m in view.breaks]
    if view.target:
        parts.append(f"Mål: {view.target}.")
    if view.trend_line:
        parts.append(f"{view.trend_line}.")
    return " ".join(parts)
