"""What people look at, computed once from a valid repository.

``status``, ``todo``, ``show``, ``measures`` and the report all read these
plain structures; terminal tables, JSON and templates only present them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from malpl import measureviews, swedish
from malpl.i18n import _
from malpl.measureviews import Assessment, MeasureView
from malpl.model import Config, FollowUp, Goal, Measure, Target
from malpl.periods import SCHEMES, Period, PeriodError, current_period, parse_period, period_name
from malpl.record import Record, as_dict
from malpl.repository import MalplError, Repository, UsageError
from malpl.text import paragraphs

TARGET_LEVEL = "target"  # the level of the rows under a goal, beside the configured ones


class TargetRow(Record):
    """One follow-up row in a period: a target's, or a goal's own (``kind`` says which)."""

    goal_id: str
    goal_title: str
    id: str
    text: str
    responsible: str
    assessment: Assessment
    forecast: Assessment | None
    comment: str
    ready: bool
    value: float | None
    value_text: str
    target: str
    kind: str = "target"  # "goal", "target" or "indicator" (an assessed measure)
    body: str = ""
    level: str = TARGET_LEVEL  # a level key for goals
    followed: bool = False  # is there a follow-up entry for the period at all?
    rollup: str = ""  # a goal without its own assessment: what is under it
    #: and those assessments, for a counting rule
    under: list[Assessment] = msgspec.field(default_factory=list)
    #: an indicator's: who made the assessment ("rule": computed, "hand": set in the
    #: follow-up, "" neither), the value the rule was applied to, or why it could not be
    assessed_by: str = ""
    basis: str = ""
    why: str = ""
    #: what its row shows of it: the values over the years, comparisons, trend, note, source
    lines: list[str] = msgspec.field(default_factory=list)
    trend: str = ""  # its trend line: "Trend: förbättrad"

    @property
    def draft(self) -> bool:
        """Written for the period but not marked ready: never printed as final."""
        return self.followed and not self.ready

    @property
    def assessed_text(self) -> str:
        """An indicator's: what made its assessment, in the report's words."""
        if self.assessed_by == "rule":
            return f"Bedömning utifrån {self.basis}"
        if self.assessed_by == "hand":
            return f"Bedömd för hand (utfall {self.basis})" if self.basis else "Bedömd för hand"
        return f"Ingen bedömning av regeln: {self.why}" if self.why else ""

    @property
    def has_comment(self) -> bool:
        return bool(self.comment.strip())

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.comment)

    def as_dict(self) -> dict[str, Any]:
        return as_dict(self) | {"has_comment": self.has_comment, "draft": self.draft,
                                "assessed_text": self.assessed_text}


class SummaryRow(Record):
    key: str | None
    label: str
    color: str
    symbol: str
    count: int
    share: str
    fraction: float
    assessed: bool = True  # False for 'ej bedömd' and steps that are not a judgement


def periods_with_followups(repo: Repository) -> list[Period]:
    from malpl.checks import followups

    scheme = repo.config.periods.scheme
    keys = {key for g in repo.goals for _path, _id, follows in followups(g) for key in follows}
    return sorted(parse_period(k, scheme) for k in keys)


def resolve_period(repo: Repository, text: str | None, *, written: bool = False,
                   today: dt.date | None = None) -> Period:
    """The period asked for, else the latest one with follow-ups, else the current one.

    A period nobody has written for yet is valid (that is when ``todo`` matters
    most), unless ``written`` asks for one with follow-ups, as a report does."""
    scheme = repo.config.periods.scheme
    known = periods_with_followups(repo)
    if text is None:
        if known or not written:
            return known[-1] if known else current_period(scheme, today or dt.date.today())
        raise MalplError(_("no follow-ups have been written for any period"),
                         _("add `followups:` with a period such as T1-2023 under a goal or "
                           "target"))
    try:
        period = parse_period(text, scheme)
    except PeriodError as err:
        raise UsageError(str(err), err.hint) from err
    if written and period not in known:
        raise MalplError(_("no follow-ups for {period}").format(period=period),
                         _("periods with follow-ups: {periods}").format(
                             periods=", ".join(map(str, known)) or _("none yet")))
    return period


def latest_closed(repo: Repository) -> Period:
    """The period the public site shows by default: the latest closed one (``period close``
    records it in malpl.yaml), never one still being written."""
    scheme = repo.config.periods.scheme
    closed = sorted(parse_period(k, scheme) for k in repo.config.periods.closed)
    if not closed:
        raise UsageError(_("no period is closed yet, so there is nothing to publish by "
                           "default"),
                         _("close one with 'malpl period close PERIOD', or name the period to "
                           "publish: 'malpl site T1-2024'"))
    return closed[-1]


def first_open(config: Config) -> Period | None:
    """The first period after the latest closed one, where a goal or target added now
    starts (None when no period is closed: it has then always existed)."""
    scheme = config.periods.scheme
    closed = sorted(parse_period(k, scheme) for k in config.periods.closed)
    if not closed:
        return None
    last, count = closed[-1], SCHEMES[scheme][1]
    if last.number >= count:
        return Period(last.year + 1, 1, last.prefix)
    return Period(last.year, last.number + 1, last.prefix)


def target_text(target: Target) -> str:
    """A structured target in words: 'minst 4 st senast 2023'."""
    value = target.target
    if value is None:
        return ""
    parts = []
    if value.min is not None:
        parts.append(f"minst {swedish.with_unit(value.min, value.unit)}")
    if value.max is not None:
        parts.append(f"högst {swedish.with_unit(value.max, value.unit)}")
    if value.by:
        parts.append(f"senast {value.by}")
    return " ".join(parts)


def _row(config: Config, goal: Goal, ident: str, text: str, responsible: str | None,
         follow: FollowUp | None, unit: str | None) -> TargetRow:
    return TargetRow(
        goal_id=goal.id, goal_title=goal.title, id=ident, text=text,
        responsible=responsible or goal.responsible or "",
        assessment=Assessment.of(config, follow.assessment if follow else None),
        forecast=Assessment.of(config, follow.forecast) if follow and follow.forecast else None,
        comment=(follow.comment or "") if follow else "",
        ready=bool(follow and follow.ready),
        value=follow.value if follow else None,
        value_text=(swedish.with_unit(follow.value, unit)
                    if follow and follow.value is not None else ""),
        target="", body=goal.body_key, followed=follow is not None)


def target_row(config: Config, goal: Goal, target: Target, period: Period) -> TargetRow:
    row = _row(config, goal, target.id, target.text, target.responsible,
               target.followups.get(str(period)), target.target.unit if target.target else None)
    row.target = target_text(target)
    return row


def goal_row(config: Config, goal: Goal, period: Period) -> TargetRow:
    row = _row(config, goal, goal.id, goal.title, None, goal.followups.get(str(period)), None)
    row.kind, row.level = "goal", goal.level
    return row


def indicator_row(repo: Repository, goal: Goal, measure: Measure, period: Period
                  ) -> TargetRow:
    """An indicator as one row: its name, its latest value (women's and men's beside
    it), its rule as the target, and its assessment: the rule's, or one set by hand."""
    config = repo.config
    view = measureviews.measure_view(config, goal, measure, period, repo.kolada)
    row = _row(config, goal, measure.id, measure.name, None,
               measure.followups.get(str(period)), None)
    found = view.indicator
    assert found is not None, "an indicator's view has its assessment"
    latest = next((line for line in reversed(view.lines) if view.latest
                   and line.startswith(f"{view.latest.key}: ")), "")
    row.kind, row.assessment, row.target = "indicator", found.assessment, found.rule
    row.assessed_by, row.basis, row.why = found.by, found.basis, found.why
    row.value = view.latest.value if view.latest else None
    row.value_text = latest.partition(": ")[2]
    row.trend = view.trend_line
    genders = {label for _, label in measureviews.GENDERS}
    row.lines = [*view.lines, *(f"{r.label} {r.latest.key}: {r.latest.text}"
                                for r in view.references if r.label not in genders)]
    row.lines += [line for line in (view.trend_line, view.note) if line]
    row.lines += [f"Källa: {view.source}"] if view.source.startswith("Kolada") else []
    return row


def indicators_of(goal: Goal) -> list[Measure]:
    return [m for m in goal.measures if m.assessed]


def is_followed_up(goal: Goal) -> bool:
    """A goal is followed up itself when it has follow-ups, or nothing under it to roll up."""
    return bool(goal.followups) or not (goal.targets or indicators_of(goal))


def started(item: Goal | Target, period: Period, scheme: str) -> bool:
    """Had the goal or target started by ``period``? Without ``start:`` it always existed
    (a start that is not a period is ``check``'s to report, and does not hide it)."""
    if item.start is None:
        return True
    try:
        return parse_period(item.start, scheme) <= period
    except PeriodError:
        return True


def current(config: Config, goals: list[Goal], period: Period) -> list[Goal]:
    """The goals that existed in ``period``: started by then, and not ended before its year
    (one that ended with a year is in that year's reports and views, not in later ones)."""
    scheme = config.periods.scheme
    return [g for g in goals if (g.ended is None or g.ended >= period.year)
            and started(g, period, scheme)]


def rows(repo: Repository, period: Period, goals: list[Goal] | None = None) -> list[TargetRow]:
    """Every follow-up row of the period in report order: each goal's own, then its targets',
    then its indicators' (assessed measures)."""
    config = repo.config
    scheme = config.periods.scheme
    result = []
    children = child_goals(repo)

    def under(goal: Goal, targets: list[TargetRow]) -> list[TargetRow]:
        """What a goal is summarised by: its target rows, and each goal that breaks it
        down (that goal's own follow-up, or else what is under it in turn)."""
        found = list(targets)
        for child in current(config, children.get(goal.id, []), period):
            found += ([goal_row(config, child, period)] if child.followups
                      else under(child, existing(child)))
        return found

    def existing(goal: Goal) -> list[TargetRow]:
        return [target_row(config, goal, t, period) for t in goal.targets
                if started(t, period, scheme)] + [
            indicator_row(repo, goal, m, period) for m in indicators_of(goal)]

    for goal in current(config, repo.goals if goals is None else goals, period):
        own = [goal_row(config, goal, period)] if is_followed_up(goal) else []
        targets = existing(goal)
        if own and own[0].assessment.key is None:
            below = under(goal, targets)
            own[0].rollup = rollup_text(config, below)
            own[0].under = [r.assessment for r in below]
        result += own + targets
    return result


def child_goals(repo: Repository) -> dict[str, list[Goal]]:
    """For each goal id, the goals (of any body) that say they serve it."""
    children: dict[str, list[Goal]] = {}
    for goal in repo.goals:
        for parent in goal.parents:
            children.setdefault(parent, []).append(goal)
    return children


def rollup_text(config: Config, under: list[TargetRow]) -> str:
    """What is under a goal, computed, never stored: 'Uppfyllt 3 av 5, ej bedömd 2'."""
    if not under:
        return ""
    counts: dict[str, int] = {}
    for row in under:
        counts[row.assessment.label] = counts.get(row.assessment.label, 0) + 1
    order = [s.label for s in config.scale] + [config.labels.unassessed]
    parts = [f"{label} {counts[label]}" for label in order if label in counts]
    parts[0] += f" av {len(under)}"
    return ", ".join(p if i == 0 else swedish.lower_first(p) for i, p in enumerate(parts))


def level_label(config: Config, level: str) -> str:
    """A level's name; for the rows under the goals, what every level calls them when
    they agree (``levels: [{…, rows: Indikator}]``), else ``labels.target``."""
    if level == TARGET_LEVEL:
        words = {lv.rows for lv in config.levels if lv.rows}
        return words.pop() if len(words) == 1 else config.labels.target
    return next((lv.label for lv in config.levels if lv.key == level), level)


def rows_label(config: Config, level: str) -> str:
    """What the rows under a goal of ``level`` are called (the heading of its table)."""
    found = next((lv.rows for lv in config.levels if lv.key == level and lv.rows), None)
    return found or config.labels.target


def chosen_level(config: Config, level: str | None) -> str | None:
    """``--level``, one of the configured levels or the targets'; None means not given."""
    known = [lv.key for lv in config.levels] + [TARGET_LEVEL]
    if level is not None and level not in known:
        raise UsageError(_("there is no level '{level}'").format(level=level),
                         _("levels: {levels}").format(levels=", ".join(known)))
    return level


def summary_steps(config: Config, assessments: list[Assessment]) -> list[SummaryRow]:
    """Count and share per step of the scale, plus 'ej bedömd', of what one summary counts.

    Steps that are not a judgement ('kan ej bedömas') are counted apart from the assessed."""
    total = len(assessments)
    steps = [Assessment.of(config, s.key) for s in config.scale] + [Assessment.of(config, None)]
    judged = {s.key for s in config.scale if s.assessed}
    result = []
    for step in steps:
        n = sum(1 for a in assessments if a.key == step.key)
        result.append(SummaryRow(step.key, step.label, step.color, step.symbol, n,
                                 swedish.share(n, total), n / total if total else 0.0,
                                 assessed=step.key in judged))
    return result


def measure_views(repo: Repository, goals: list[Goal] | None = None,
                  period: Period | None = None) -> list[MeasureView]:
    return measureviews.measure_views(repo.config, repo.goals if goals is None else goals,
                                      period, repo.kolada)


def period_label(config: Config, period: Period) -> str:
    return period_name(period, config.periods.scheme, config.periods.labels)


# --- status, todo, show ---------------------------------------------------------------


def find_goal(repo: Repository, ident: str) -> Goal:
    goal = repo.goal(ident)
    if goal is None:
        raise MalplError(_("no goal with the id '{id}'").format(id=ident),
                         _("see the ids with 'malpl status'"))
    return goal


def chosen_bodies(config: Config, bodies: list[str] | None) -> list[str] | None:
    """``--body`` keys, each one known; None means every body."""
    known = [b.key for b in config.body_list()]
    for key in bodies or []:
        if key not in known:
            raise UsageError(_("there is no body '{body}'").format(body=key),
                             _("bodies: {bodies}").format(bodies=", ".join(known)))
    return bodies or None


def assessment_key(config: Config, assessment: str) -> str | None:
    """``--assessment``: a step of the scale, or 'ej_bedomd' (None: not assessed)."""
    keys = {s.key for s in config.scale} | {"ej_bedomd"}
    if assessment not in keys:
        raise UsageError(_("'{assessment}' is not on the scale").format(assessment=assessment),
                         _("use one of: {keys}").format(keys=", ".join(sorted(keys))))
    return None if assessment == "ej_bedomd" else assessment


class TargetHistory(Record):
    row: TargetRow  # the chosen period
    history: list[tuple[str, Assessment, Assessment | None]]


class GoalDetail(Record):
    goal: Goal
    level: str
    parents: list[Goal]
    period: str
    targets: list[TargetHistory]
    measures: list[MeasureView]
    own: TargetHistory | None = None  # the goal's own follow-up, when it has one
    children: dict[str, list[Goal]] | None = None  # body name → goals breaking it down
    body: str = ""

    @property
    def parent(self) -> Goal | None:
        return self.parents[0] if self.parents else None


def _history(config: Config, known: list[Period], follows: dict[str, FollowUp]
             ) -> list[tuple[str, Assessment, Assessment | None]]:
    return [(str(p), Assessment.of(config, f.assessment),
             Assessment.of(config, f.forecast) if f.forecast else None)
            for p in known if (f := follows.get(str(p))) is not None]


def _indicator_history(repo: Repository, goal: Goal, measure: Measure, known: list[Period]
                       ) -> list[tuple[str, Assessment, Assessment | None]]:
    """An indicator's assessment in each period it was followed up: the rule's on the values
    known then, or the one set by hand."""
    found = []
    for period in known:
        follow = measure.followups.get(str(period))
        if follow is not None:
            row = indicator_row(repo, goal, measure, period)
            found.append((str(period), row.assessment, row.forecast))
    return found


def detail(repo: Repository, ident: str, period: Period | None = None,
           bodies: list[str] | None = None) -> GoalDetail:
    """A goal, or one target or indicator of it, with history across every period and its
    links."""
    config = repo.config
    goal = repo.goal(ident)
    chosen_targets: list[Target | Measure]
    if goal is not None:
        chosen_targets = [*goal.targets, *indicators_of(goal)]
    else:
        found = next(((g, t) for g in repo.goals for t in [*g.targets, *indicators_of(g)]
                      if t.id == ident), None)
        if found is None:
            raise MalplError(_("no goal or target with the id '{id}'").format(id=ident),
                             _("goal ids look like 1.1 and target ids like 1.1.1; "
                               "see them with 'malpl status'"))
        goal, target = found
        chosen_targets = [target]
    known = periods_with_followups(repo)
    if period is None:
        scheme = config.periods.scheme
        mine = [goal.followups] if len(chosen_targets) != 1 or goal.id == ident else []
        own = sorted({parse_period(k, scheme)
                      for follows in mine + [t.followups for t in chosen_targets]
                      for k in follows})
        period = own[-1] if own else resolve_period(repo, None)
    all_rows = {r.id: r for r in rows(repo, period, [goal])}
    if not all_rows and not current(config, [goal], period):
        raise MalplError(_("{id} did not exist in {period}").format(id=goal.id, period=period),
                         _("its first period is {period}").format(period=goal.start)
                         if goal.start else
                         _("it ended in {year}").format(year=goal.ended))
    if any(t.id not in all_rows for t in chosen_targets) and len(chosen_targets) == 1:
        raise MalplError(_("{id} did not exist in {period}").format(id=ident, period=period),
                         _("its first period is {period}").format(
                             period=getattr(chosen_targets[0], "start", None)))
    chosen_targets = [t for t in chosen_targets if t.id in all_rows]
    histories = [TargetHistory(all_rows[t.id], _indicator_history(repo, goal, t, known)
                               if isinstance(t, Measure) else
                               _history(config, known, t.followups))
                 for t in chosen_targets]
    own_history = None
    if goal.id == ident and goal.id in all_rows:
        own_history = TargetHistory(all_rows[goal.id], _history(config, known, goal.followups))
    children: dict[str, list[Goal]] = {}
    names = {b.key: b.name for b in config.body_list()}
    wanted = chosen_bodies(repo.config, bodies)
    for child in child_goals(repo).get(goal.id, []):
        if wanted and child.body_key not in wanted:
            continue
        children.setdefault(names.get(child.body_key, child.body_key), []).append(child)
    return GoalDetail(goal, level_label(config, goal.level),
                      [p for i in goal.parents if (p := repo.goal(i)) is not None],
                      str(period), histories,
                      measureviews.measure_views(config, [goal], period, repo.kolada),
                      own=own_history, children=children or None,
                      body=names.get(goal.body_key, goal.body_key))
