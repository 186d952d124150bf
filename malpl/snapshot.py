"""One period's truth, computed once: what existed, what was said, and how it counts.

Every output of a period (``status``, ``todo``, ``show``, ``measures``, the report in
every format, the site, ``period close``) renders a :class:`Snapshot` and computes no
count of its own, so the terminal, the document and the web page cannot disagree.

Counting rules (docs/format.md, "Måluppfyllelse"): every goal, every target and every
indicator (an assessed measure) that exists in the period is counted exactly once, in
its own level's summary; targets and indicators are the rows under the goals. A goal
without an assessment of its own counts as not assessed, with what is under it shown
beside it, unless ``report.goals_counted_by: worst`` counts it as the worst
assessment under it. There is one summary per level for the whole selection and,
where several bodies are selected, one per body and level.
"""

from __future__ import annotations

from typing import Any

import msgspec

from malpl import views
from malpl.i18n import N_, _
from malpl.measureviews import MeasureView
from malpl.model import Body, Config, Goal
from malpl.periods import Period
from malpl.record import Record, as_dict
from malpl.repository import Repository

TARGET_LEVEL = views.TARGET_LEVEL
#: The kinds of row under a goal, counted at TARGET_LEVEL: targets and indicators.
UNDER_GOALS = ("target", "indicator")
#: What ``todo`` finds missing, by the key a person types in the goal file.
MISSING = {"comment": N_("comment"), "assessment": N_("assessment"), "ready": N_("ready")}


def missing_text(keys: list[str], separator: str = ", ") -> str:
    """'kommentar (`comment`), bedömning (`assessment`)': the word, and the key to type
    (in English the word is the key)."""
    return separator.join(k if _(MISSING[k]) == k else
                     _("{word} (`{key}`)").format(word=_(MISSING[k]), key=k) for k in keys)


class Counted(Record, frozen=True):
    """One goal or target as a summary counts it."""

    id: str
    goal_id: str
    kind: str  # "goal", "target" or "indicator"
    level: str  # a configured level's key, or TARGET_LEVEL
    body: str
    assessment: views.Assessment
    followed: bool  # is there a follow-up entry for the period?
    responsible: str


class LevelSummary(Record):
    """Måluppfyllelse at one level, for the whole selection (``body`` "") or one body."""

    level: str
    label: str  # the level's name as configured
    body: str
    body_name: str
    steps: list[views.SummaryRow]
    total: int
    assessed: int  # counted on a step that is a judgement

    @property
    def heading(self) -> str:
        """'Kommunstyrelsen, styrelsens mål' or 'Utvecklingsmål'."""
        return f"{self.body_name}, {self.label.lower()}" if self.body_name else self.label


class TodoItem(Record):
    target: views.TargetRow
    missing: list[str]


class Snapshot(Record):
    """What was true at the end of ``period`` for a selection of bodies."""

    period: Period
    period_text: str
    config: Config
    bodies: list[Body]  # the selected bodies that have goals in the period, in order
    goals: list[Goal]  # the goals that existed in the period, in report order
    rows: list[views.TargetRow]  # every follow-up row, each goal's own then its targets'
    counted: list[Counted]
    summaries: list[LevelSummary]  # the selection's per level, then each body's per level
    level: str  # the level the headline summary counts
    measures: list[MeasureView]

    @property
    def headline(self) -> LevelSummary:
        """The summary a report opens with: the chosen level, over the whole selection."""
        return next(s for s in self.summaries if s.level == self.level and not s.body)

    def levels(self, body: str = "") -> list[LevelSummary]:
        """The selection's summaries (``body`` ""), or one body's."""
        return [s for s in self.summaries if s.body == body]

    @property
    def drafts(self) -> list[views.TargetRow]:
        return [r for r in self.rows if r.draft]

    def narrowed(self, *, goal: str | None = None, responsible: str | None = None,
                 assessment: str | None = None) -> Snapshot:
        """The rows of one goal, one responsible (a part of the name, any case) or one
        assessment (``ej_bedomd``: none), with summaries of what is left."""
        def keep(goal_id: str, who: str, key: str | None) -> bool:
            return ((goal is None or goal_id == goal)
                    and (responsible is None or responsible.casefold() in who.casefold())
                    and (assessment is None or key == wanted))

        wanted = None if assessment is None else views.assessment_key(self.config, assessment)
        rows = [r for r in self.rows if keep(r.goal_id, r.responsible, r.assessment.key)]
        counted = [c for c in self.counted if keep(c.goal_id, c.responsible, c.assessment.key)]
        summaries = _every_summary(self.config, counted, self.bodies, None, self.level)
        return msgspec.structs.replace(self, rows=rows, counted=counted, summaries=summaries)

    def todo(self) -> dict[str, list[TodoItem]]:
        """What is missing per responsible person or unit, for reminders before a deadline."""
        groups: dict[str, list[TodoItem]] = {}
        for row in self.rows:
            if row.kind == "goal" and not row.followed and row.rollup:
                continue  # summarised by what is under it; nothing to write
            missing = []
            if not row.has_comment:
                missing.append("comment")
            if row.assessment.key is None:
                missing.append("assessment")
            if not row.ready:
                missing.append("ready")
            if missing:
                groups.setdefault(row.responsible or _("(no one responsible)"), []).append(
                    TodoItem(row, missing))
        return dict(sorted(groups.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"period": str(self.period), "period_text": self.period_text,
                "summary_level": views.level_label(self.config, self.level),
                "summary": [as_dict(s) for s in self.headline.steps],
                "summaries": [as_dict(s) | {"heading": s.heading} for s in self.summaries],
                "targets": [r.as_dict() for r in self.rows]}


def snapshot(repo: Repository, period: Period, *, bodies: list[str] | None = None,
             level: str | None = None, published: bool = False) -> Snapshot:
    """The period as it was at its end, for ``bodies`` (every body when None).

    ``level``: the level the headline summary counts (``--level``); by default the
    level with the most follow-ups written for the period. ``published``: as the report
    and the site show it, where ``report.drafts: omit`` leaves out what is not ready
    (counted as not written); staff's views always show drafts, marked."""
    config = repo.config
    wanted = views.chosen_bodies(config, bodies)
    chosen_level = views.chosen_level(config, level)
    goals = views.current(config, repo.goals_of(wanted), period)
    rows = views.rows(repo, period, goals)
    if published and config.report.drafts == "omit":
        rows = [_unwritten(config, r) if r.draft else r for r in rows]
    counted = _counted(config, goals, rows, period)
    present = {g.body_key for g in goals}
    selected = [b for b in config.body_list()
                if (wanted is None or b.key in wanted) and b.key in present]
    headline = chosen_level or _most_followed(counted)
    summaries = _every_summary(config, counted, selected, chosen_level, headline)
    return Snapshot(period, views.period_label(config, period), config, selected, goals, rows,
                    counted, summaries, headline, views.measure_views(repo, goals, period))


def _unwritten(config: Config, row: views.TargetRow) -> views.TargetRow:
    """A draft as a published view shows it when drafts are left out: not written yet."""
    return msgspec.structs.replace(
        row, assessment=views.Assessment.of(config, None), forecast=None, comment="",
        value=None, value_text="", followed=False)


def _counted(config: Config, goals: list[Goal], rows: list[views.TargetRow],
             period: Period) -> list[Counted]:
    """Each goal, target and indicator of the period once, assessed as the counting rule
    says (an indicator by its rule, or by hand)."""
    by_id = {(r.goal_id, r.kind, r.id): r for r in rows}
    found = []
    worst = config.report.goals_counted_by == "worst"
    for goal in goals:
        own = by_id.get((goal.id, "goal", goal.id))
        follow = goal.followups.get(str(period))
        assessment = own.assessment if own else views.Assessment.of(config, None)
        if worst and assessment.key is None:
            assessment = _worst(config, [r for r in rows if r.goal_id == goal.id
                                         and r.kind in UNDER_GOALS], own)
        found.append(Counted(goal.id, goal.id, "goal", goal.level, goal.body_key, assessment,
                             follow is not None, goal.responsible or ""))
        found += [Counted(r.id, goal.id, r.kind, TARGET_LEVEL, goal.body_key, r.assessment,
                          r.followed, r.responsible)
                  for r in rows if r.goal_id == goal.id and r.kind in UNDER_GOALS]
    return found


def _worst(config: Config, targets: list[views.TargetRow], own: views.TargetRow | None
           ) -> views.Assessment:
    """The worst judged assessment under a goal (its targets', else its roll-up's)."""
    pool = own.under if own is not None and own.under else [r.assessment for r in targets]
    judged = [a for a in pool if a.rank is not None]
    return max(judged, key=lambda a: a.rank or 0) if judged else views.Assessment.of(config, None)


def _most_followed(counted: list[Counted]) -> str:
    """The level with the most follow-ups written; targets win a tie, as a board's report
    of its targets is the common case."""
    counts: dict[str, int] = {}
    for item in counted:
        counts[item.level] = counts.get(item.level, 0) + (2 if item.followed else 1)
    return max(counts, key=lambda k: (counts[k], k == TARGET_LEVEL)) if counts else TARGET_LEVEL


def _every_summary(config: Config, counted: list[Counted], bodies: list[Body],
                   only: str | None, headline: str) -> list[LevelSummary]:
    """The selection's summaries, then each body's where there are several; the headline
    level's is there even when nothing is counted at it."""
    summaries = _summaries(config, counted, "", "", only)
    for body in bodies if len(bodies) > 1 else []:
        summaries += _summaries(config, [c for c in counted if c.body == body.key],
                                body.key, body.name, only)
    if not any(s.level == headline and not s.body for s in summaries):
        summaries.insert(0, _summary(config, [], headline, "", ""))
    return summaries


def _summaries(config: Config, counted: list[Counted], body: str, body_name: str,
               only: str | None) -> list[LevelSummary]:
    """One summary per level that has something counted (or only ``only``), highest first."""
    order = [lv.key for lv in config.levels] + [TARGET_LEVEL]
    present = {c.level for c in counted}
    levels = [k for k in order if k in present] + sorted(present - set(order))
    return [_summary(config, [c for c in counted if c.level == key], key, body, body_name)
            for key in levels if only is None or key == only]


def _summary(config: Config, counted: list[Counted], level: str, body: str, body_name: str
             ) -> LevelSummary:
    steps = views.summary_steps(config, [c.assessment for c in counted])
    label = views.level_label(config, level)
    if level == TARGET_LEVEL and label in {lv.label for lv in config.levels}:
        label += " under målen"  # the source's own word for both: never two alike
    return LevelSummary(level, label, body, body_name, steps,
                        len(counted), sum(s.count for s in steps if s.assessed))
