"""The website as data: which pages there are, at which paths, showing what.

Every page is a :class:`Page`: a path inside the site, a template name and a
context of plain strings and numbers (and chart :class:`~markupsafe.Markup` from
:mod:`malpl.svgchart`, which escapes what it holds). Nothing here is HTML; the
templates escape every string they print.

Paths are made only from :func:`slug`, so an id may hold any character and
still give one file name inside the site, distinct from every other even on a file
system that ignores case. All hrefs in the data are relative to
the site's root; each page carries ``root``, the way back up from where it lies,
so the site works from any folder, a web server's sub-path and ``file://``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import pickle
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup

from malpl import svgchart, views
from malpl.measureviews import MeasureView
from malpl.model import Goal
from malpl.periods import Period
from malpl.report.context import chart_caption, sections
from malpl.repository import Repository, natural_key
from malpl.snapshot import snapshot
from malpl.text import paragraphs

UNASSESSED_SLUG = "_ej-bedomd"  # never a slug of a key: a slug starts with a letter or digit
_CANONICAL = re.compile(r"[a-z0-9][a-z0-9.-]*")
_OTHER = re.compile(r"[^a-z0-9.]+")
_LETTERS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "ae",
                          "ø": "o"})
_LONGEST = 80


def _readable(ident: str) -> str:
    """'1:2' → '1-2', 'MO1' → 'mo1', 'Ö 3' → 'o-3': lower case, ASCII, one '-' for a run
    of anything else."""
    text = _OTHER.sub("-", ident.lower().translate(_LETTERS)).strip("-.")
    return text[:_LONGEST - 9].rstrip("-.")


def _hashed(ident: str, readable: str, length: int) -> str:
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:length]
    return f"{readable}-{digest}" if readable else f"x-{digest}"


class Slugs:
    """File names for ids, one-to-one and readable: '1.1' → '1.1', '1:2' → '1-2',
    'MO1' → 'mo1'.

    An id already written in lower-case letters, digits, '.' and '-' is its own name.
    Any other id gets its readable form, unless another id of the repository has the
    same one (or it is too long): then a short hash of the id follows ('A1' beside 'a1'
    → 'a1-…'). Names are lower case, so no two differ only in case (Windows, macOS).
    A name depends only on the id and the ids of the repository at the commit the site
    is built from: the same commit gives the same names, and a new goal changes no
    other goal's name unless its id differs from that goal's only in case or punctuation.
    """

    def __init__(self, idents: set[str]) -> None:
        readable: dict[str, list[str]] = {}
        for ident in sorted(idents):
            readable.setdefault(ident if _CANONICAL.fullmatch(ident) and
                                len(ident) <= _LONGEST else _readable(ident), []).append(ident)
        self.names: dict[str, str] = {}
        for name, owners in readable.items():
            for ident in owners:
                if name and (ident == name or len(owners) == 1):
                    self.names[ident] = name
        taken = set(self.names.values())
        for name, owners in readable.items():
            for ident in owners:
                if ident not in self.names:
                    length = 8
                    while (found := _hashed(ident, name, length)) in taken:
                        length += 2
                    self.names[ident] = found
                    taken.add(found)

    def __call__(self, ident: str) -> str:
        found = self.names.get(ident)
        if found is None:  # an id outside the repository: its own table
            found = self.names[ident] = Slugs({ident}).names[ident]
        return found


_slugs = Slugs(set())  # the repository's, once a SiteBuilder is made


def slug(ident: str) -> str:
    """The file name (without '.html') of a goal, target, body or assessment id."""
    return _slugs(ident)


@dataclass
class Page:
    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def goal_path(period: Period, ident: str) -> str:
    return f"{period}/mal/{slug(ident)}.html"


def body_path(period: Period, key: str) -> str:
    return f"{period}/organ/{slug(key)}.html"


def assessment_path(period: Period, key: str | None, body: str = "") -> str:
    """The list of goals and targets with an assessment: the municipality's, or a body's."""
    name = slug(key) if key else UNASSESSED_SLUG
    return f"{period}/organ/{slug(body)}/{name}.html" if body else \
        f"{period}/bedomning/{name}.html"


class Step(NamedTuple):
    """A step of the scale as a page shows it. Hashable, like every argument of a
    template fragment, so each badge is rendered once (see ``render.Fragments``)."""

    key: str
    label: str
    color: str
    symbol: str


class HistoryRow(NamedTuple):
    """One period of a goal's or target's history, the same on every later period's page."""

    period: str
    text: str
    href: str
    assessment: Step | None
    forecast: Step | None


class MeasureRow(NamedTuple):
    """One year or period of a measure's table: its value and the references' values."""

    key: str
    value: str
    references: tuple[str, ...]


RECORDS = (Step, HistoryRow, MeasureRow)  # the record types pages hold, besides dicts


def _assessment(a: views.Assessment | None) -> Step | None:
    if a is None:
        return None
    return Step(a.key or "", a.label, a.color, a.symbol)


class PeriodData:
    """What every page of one period reads, computed once. The rows and measures only
    its own pages read are computed when first asked for: in the worker rendering them."""

    def __init__(self, repo: Repository, period: Period, all_children: dict[str, list[Goal]]
                 ) -> None:
        self.repo, self.period = repo, period
        self.snap = snapshot(repo, period, published=True)
        self.text = self.snap.period_text
        self.goals = self.snap.goals
        self.ids = {g.id for g in self.goals}
        self.children = {k: [g for g in v if g.id in self.ids] for k, v in all_children.items()}
        self.by_body: dict[str, list[Goal]] = {}
        for goal in self.goals:
            self.by_body.setdefault(goal.body_key, []).append(goal)

    @functools.cached_property
    def rows(self) -> dict[str, list[views.TargetRow]]:
        rows: dict[str, list[views.TargetRow]] = {}
        for row in self.snap.rows:
            rows.setdefault(row.goal_id, []).append(row)
        return rows

    @functools.cached_property
    def measures(self) -> dict[str, list[MeasureView]]:
        measures: dict[str, list[MeasureView]] = {}
        for view in self.snap.measures:
            measures.setdefault(view.goal_id, []).append(view)
        return measures

    def own(self, goal: Goal) -> views.TargetRow | None:
        return next((r for r in self.rows.get(goal.id, []) if r.kind == "goal"), None)


class SiteBuilder:
    """Builds every page of every period up to the chosen one."""

    def __init__(self, repo: Repository, period: Period, logo_name: str = "",
                 published: dict[Period, dict[str, Any]] | None = None) -> None:
        global _slugs
        _slugs = Slugs({*(g.id for g in repo.goals), *(t.id for g in repo.goals for t in g.targets),
                        *(b.key for b in repo.config.body_list()),
                        *(s.key for s in repo.config.scale)})
        self.repo, self.config = repo, repo.config
        self.published = published or {}  # per period: its dates and open data (opendata.py)
        self.logo_name = logo_name
        self.chosen = period
        self.periods = [p for p in views.periods_with_followups(repo) if p <= period]
        if period not in self.periods:
            self.periods.append(period)
        self.names = {b.key: b.name for b in self.config.body_list()}
        self.all_children = views.child_goals(repo)
        self._steps: dict[str | None, Step | None] = {}
        self._histories: dict[tuple[str, str], tuple[list[Period], list[HistoryRow]]] = {}
        self._measures: dict[tuple[int, bytes], dict[str, Any]] = {}
        self.data = {p: PeriodData(repo, p, self.all_children) for p in self.periods}

    # --- pieces shared by pages ---------------------------------------------------

    def _base(self, path: str, period: Period, title: str,
              crumbs: list[tuple[str, str]]) -> dict[str, Any]:
        depth = path.count("/")
        data = self.data[period]
        return {
            "root": "../" * depth,
            "path": path,
            "page_title": title,
            "organisation": self.config.organisation.name,
            "period": str(period),
            "period_text": data.text,
            "start": f"{period}/index.html",
            "crumbs": [{"label": label, "href": href} for label, href in crumbs],
            "links": [{"label": link.label, "url": link.url} for link in self.config.site.links],
            "logo": self.logo_name,
            "latest": period == self.chosen,
            "chosen_period": str(self.chosen),
            "chosen_text": self.data[self.chosen].text,
            "published": self.published.get(period, {}),
            "labels": {"summary": self.config.labels.summary,
                       "measures": self.config.labels.measures,
                       "comment": self.config.labels.comment,
                       "no_comment": self.config.labels.no_comment,
                       "target": self.config.labels.target},
        }

    def _goal_item(self, data: PeriodData, goal: Goal) -> dict[str, Any]:
        own = data.own(goal)
        shown = own if own is not None and own.followed else None
        return {
            "id": goal.id, "title": goal.title,
            "href": goal_path(data.period, goal.id),
            "level": views.level_label(self.config, goal.level),
            "body": self.names.get(goal.body_key, goal.body_key),
            "assessment": _assessment(shown.assessment) if shown else None,
            "rollup": own.rollup if own is not None else views.rollup_text(
                self.config, data.rows.get(goal.id, [])),
            "trend": self._trend(data.period, goal),
        }

    def _trend(self, period: Period, goal: Goal) -> str:
        """The goal's own assessment against the last earlier one: 'bättre än T3-2023'."""
        now = goal.followups.get(str(period))
        rank = self.config.rank(now.assessment) if now else None
        if rank is None:
            return ""
        for earlier in reversed([p for p in self.periods if p < period]):
            before = goal.followups.get(str(earlier))
            old = self.config.rank(before.assessment) if before else None
            if old is not None:
                word = "oförändrad" if old == rank else ("bättre" if rank < old else "sämre")
                return f"{word} sedan {earlier}"
        return ""

    def _row(self, period: Period, row: views.TargetRow) -> dict[str, Any]:
        """A follow-up as the report shows it (``report:`` settings): no 'Ej bedömd' or
        'Ingen kommentar' where the report leaves them blank, drafts marked."""
        options = self.config.report
        shown = (row.followed or row.kind != "goal") and (
            row.assessment.key is not None or options.unassessed_mark)
        return {
            "id": row.id, "text": row.text, "anchor": "m-" + slug(row.id),
            "href": goal_path(period, row.goal_id) + ("" if row.kind == "goal"
                                                      else "#m-" + slug(row.id)),
            "goal_id": row.goal_id, "goal_title": row.goal_title,
            "kind": row.kind, "responsible": row.responsible,
            "assessment": _assessment(row.assessment) if shown else None,
            "no_comment": options.no_comment and (row.followed or row.kind != "goal"),
            "draft": row.draft,
            "forecast": _assessment(row.forecast),
            "paragraphs": row.paragraphs, "target": row.target,
            # an indicator's values are its own series, not a follow-up's figure
            "value": "" if row.kind == "indicator" else row.value_text,
            "lines": row.lines, "assessed_text": row.assessed_text,
            "rollup": row.rollup, "followed": row.followed,
            "body": self.names.get(row.body, row.body),
        }

    # --- pages ----------------------------------------------------------------------

    def pages(self) -> list[Page]:
        return [*self.site_pages(), *(p for period in self.periods
                                      for p in self.period_pages(period))]

    def site_pages(self) -> list[Page]:
        """The pages outside the periods' folders: the start and the statement."""
        return [self.start_page(self.chosen, "index.html"),
                Page("tillganglighet.html", "tillganglighet.html.j2",
                     self._base("tillganglighet.html", self.chosen, "Tillgänglighetsredogörelse",
                                [("Tillgänglighetsredogörelse", "")]))]

    def period_pages(self, period: Period) -> list[Page]:
        data = self.data[period]
        found = [self.start_page(period, f"{period}/index.html")]
        found += [self.body_page(data, b.key, b.name) for b in self.config.body_list()
                  if b.key in data.by_body]
        found.append(self.areas_page(data))
        found.append(self.index_page(data))
        found += self.assessment_pages(data)
        found += [p for b in self.config.body_list() if b.key in data.by_body
                  for p in self.assessment_pages(data, b.key, b.name)]
        found += [self.goal_page(data, g) for g in data.goals]
        return found

    def _summary(self, data: PeriodData, body: str, label: str, ident: str
                 ) -> dict[str, Any] | None:
        """Måluppfyllelse of a body per level, as the period's snapshot counts it (the
        report's figures): a table's rows and a stacked-bar chart. None when the
        repository's reports leave it out (``report.summary: false``)."""
        levels = data.snap.levels(body) or (data.snap.levels() if len(data.snap.bodies) == 1
                                            else [])
        if not levels or not self.config.report.summary:
            return None
        table = [{"level": level.label,
                  "steps": [{"label": s.label, "count": s.count, "share": s.share,
                             "color": s.color, "symbol": s.symbol,
                             "href": assessment_path(data.period, s.key, body)
                             if s.count else ""}
                            for s in level.steps],
                  "total": level.total} for level in levels]
        steps = [s["label"] for s in table[0]["steps"]]
        chart = svgchart.bar_chart(  # no description: the table beside it holds the figures
            ident, f"{self.config.labels.summary}, {label}, {data.text}", "",
            [(t["level"], [svgchart.Segment(s["label"], s["count"], s["color"], s["symbol"])
                           for s in t["steps"]])
             for t in table])
        return {"label": label, "steps": steps, "levels": table, "chart": chart}

    def start_page(self, period: Period, path: str) -> Page:
        data = self.data[period]
        context = self._base(path, period, self.config.labels.summary, [])
        bodies = []
        for i, body in enumerate(self.config.body_list(), 1):
            goals = data.by_body.get(body.key, [])
            if goals:
                bodies.append({"name": body.name, "href": body_path(period, body.key),
                               "goals": len(goals),
                               "summary": self._summary(data, body.key, body.name,
                                                        f"sum-{i}")})
        steps = [views.Assessment.of(self.config, s.key) for s in self.config.scale]
        steps.append(views.Assessment.of(self.config, None))
        context.update({
            "bodies": bodies,
            "areas": [self._goal_item(data, g) for g in self._roots(data)],
            "assessments": [{"step": _assessment(a), "href": assessment_path(period, a.key)}
                            for a in steps],
            "periods": [{"period": str(p), "text": self.data[p].text,
                         "href": f"{p}/index.html", "current": p == period}
                        for p in reversed(self.periods)],
            "goal_count": len(data.goals),
        })
        return Page(path, "start.html.j2", context)

    def _roots(self, data: PeriodData) -> list[Goal]:
        """The goal areas: the goals that serve no other goal of the period."""
        return [g for g in data.goals if not any(p in data.ids for p in g.parents)]

    def body_page(self, data: PeriodData, key: str, name: str) -> Page:
        path = body_path(data.period, key)
        goals = data.by_body.get(key, [])
        context = self._base(path, data.period, name, [(name, "")])
        context.update({
            "name": name,
            "summary": self._summary(data, key, name, "sum"),
            "goals": [{**self._goal_item(data, s.goal), "depth": s.depth}
                      for s in sections(goals)],
        })
        return Page(path, "body.html.j2", context)

    def areas_page(self, data: PeriodData) -> Page:
        path = f"{data.period}/omraden.html"
        context = self._base(path, data.period, "Målområden", [("Målområden", "")])
        seen: set[str] = set()

        def tree(goal: Goal) -> dict[str, Any]:
            seen.add(goal.id)
            below = [c for c in data.children.get(goal.id, []) if c.id not in seen]
            return {**self._goal_item(data, goal), "children": [tree(c) for c in below]}

        context["areas"] = [tree(g) for g in self._roots(data)]
        return Page(path, "areas.html.j2", context)

    def index_page(self, data: PeriodData) -> Page:
        """Every goal and target by id: the search a static site can offer."""
        path = f"{data.period}/alla.html"
        context = self._base(path, data.period, "Alla mål från A till Ö",
                             [("Alla mål", "")])
        items = [{"id": g.id, "text": g.title, "href": goal_path(data.period, g.id),
                  "body": self.names.get(g.body_key, g.body_key),
                  "kind": views.level_label(self.config, g.level)} for g in data.goals]
        items += [{"id": t.id, "text": t.text,
                   "href": goal_path(data.period, g.id) + "#m-" + slug(t.id),
                   "body": self.names.get(g.body_key, g.body_key),
                   "kind": self.config.labels.target} for g in data.goals for t in g.targets]
        items.sort(key=lambda i: (i["text"].casefold(), natural_key(i["id"])))
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            first = item["text"][:1].upper()
            groups.setdefault(first if first.isalpha() else "#", []).append(item)
        context["groups"] = [{"letter": k, "anchor": f"b-{i}", "entries": v}
                             for i, (k, v) in enumerate(groups.items(), 1)]
        return Page(path, "index.html.j2", context)

    def assessment_pages(self, data: PeriodData, body: str = "", name: str = ""
                         ) -> list[Page]:
        """The goals and targets of each assessment: every one of the municipality's, or
        (``body``) a body's."""
        steps = [views.Assessment.of(self.config, s.key) for s in self.config.scale]
        steps.append(views.Assessment.of(self.config, None))
        rows = [r for rs in data.rows.values() for r in rs if (r.kind != "goal" or r.followed)
                and (not body or r.body == body)]
        pages = []
        for step in steps:
            chosen = [self._row(data.period, r) for r in rows if r.assessment.key == step.key]
            path = assessment_path(data.period, step.key, body)
            crumbs = [(name, body_path(data.period, body))] if body else []
            context = self._base(path, data.period, f"{step.label} – {name}" if body
                                 else step.label, [*crumbs, (f"Bedömning: {step.label}", "")])
            context.update({"assessment": _assessment(step), "rows": chosen, "body_name": name})
            pages.append(Page(path, "assessment.html.j2", context))
        return pages

    def goal_page(self, data: PeriodData, goal: Goal) -> Page:
        period = data.period
        path = goal_path(period, goal.id)
        body = self.names.get(goal.body_key, goal.body_key)
        context = self._base(path, period, f"{goal.id} {goal.title}",
                             [(body, body_path(period, goal.body_key)), (goal.id, "")])
        rows = data.rows.get(goal.id, [])
        own = data.own(goal)
        parents = [p for i in goal.parents if (p := self.repo.goal(i)) is not None]
        context.update({
            "goal": {"id": goal.id, "title": goal.title, "body": body,
                     "body_href": body_path(period, goal.body_key),
                     "level": views.level_label(self.config, goal.level),
                     "responsible": goal.responsible or "",
                     "description": paragraphs(goal.description)},
            "own": self._row(period, own) if own is not None else None,
            "own_history": self._history(period, goal.followups, goal.id, "")
            if goal.followups else [],
            "parents": [self._link(data, p) for p in parents],
            "children": [self._goal_item(data, c) for c in data.children.get(goal.id, [])],
            "targets": [{**self._row(period, r),
                         "history": self._history(period, t.followups, goal.id, r.id)}
                        for r, t in zip([r for r in rows if r.kind == "target"],
                                        goal.targets, strict=True)]
            + [{**self._row(period, r), "history": []} for r in rows if r.kind == "indicator"],
            "rows_label": views.rows_label(self.config, goal.level),
            "measures": [self._measure(view, i)
                         for i, view in enumerate(data.measures.get(goal.id, []), 1)],
            "other_periods": [{"period": str(p), "text": self.data[p].text,
                               "href": goal_path(p, goal.id), "current": p == period}
                              for p in reversed(self.periods)
                              if goal.id in self.data[p].ids],
        })
        return Page(path, "goal.html.j2", context)

    def _link(self, data: PeriodData, goal: Goal) -> dict[str, Any]:
        """A higher goal; one that has ended is named, but has no page in this period."""
        return {"id": goal.id, "title": goal.title,
                "href": goal_path(data.period, goal.id) if goal.id in data.ids else "",
                "body": self.names.get(goal.body_key, goal.body_key)}

    def _history(self, period: Period, follows: dict, goal_id: str, anchor_id: str
                 ) -> list[HistoryRow]:
        """The follow-ups up to ``period``: a beginning of the rows made once for all periods."""
        key = (goal_id, anchor_id)
        if key not in self._histories:
            anchor = "#m-" + slug(anchor_id) if anchor_id else ""
            found = [(p, f) for p in self.periods if (f := follows.get(str(p))) is not None]
            self._histories[key] = ([p for p, _ in found], [
                HistoryRow(str(p), self.data[p].text, goal_path(p, goal_id) + anchor,
                           self._step(f.assessment),
                           self._step(f.forecast) if f.forecast else None)
                for p, f in found])
        known, rows = self._histories[key]
        return rows[:bisect.bisect_right(known, period)]

    def _step(self, key: str | None) -> Step | None:
        """A step of the scale as a page shows it, made once per key."""
        if key not in self._steps:
            self._steps[key] = _assessment(views.Assessment.of(self.config, key))
        return self._steps[key]

    def _measure(self, view: MeasureView, number: int) -> dict[str, Any]:
        """A measure as its section shows it; the same view (often so in the periods of
        one year) is drawn once."""
        key = (number, pickle.dumps(view))  # equal bytes only for an equal view
        found = self._measures.get(key)
        if found is None:
            found = self._measures[key] = self._draw_measure(view, number)
        return found

    def _draw_measure(self, view: MeasureView, number: int) -> dict[str, Any]:
        order = svgchart.axis_keys(view)
        own = {p.key: p.text for p in view.series}
        refs = [{p.key: p.text for p in r.series} for r in view.references]
        table = tuple(MeasureRow(key, own.get(key, "–"), tuple(r.get(key, "–") for r in refs))
                      for key in order)
        chart: Markup | None = None
        if len(view.series) >= 2:
            chart = svgchart.measure_chart(view, f"matt-{number}", chart_caption(view))
        return {
            "number": number, "id": view.id, "name": view.name, "unit": view.unit,
            "source": view.source, "note": paragraphs(view.note), "target": view.target,
            "trend": view.trend_text, "trend_manual": view.trend_manual,
            "latest": view.latest.text if view.latest else "",
            "latest_key": view.latest.key if view.latest else "",
            "references": [r.label for r in view.references],
            "table": table, "chart": chart,
            "missing": [{"key": m.key, "text": m.text} for m in view.missing],
            "breaks": [{"key": m.key, "text": m.text} for m in view.breaks],
            "forecasts": view.forecasts,
        }
