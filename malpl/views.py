"""What people look at, computed once from a valid repository.

``status``, ``todo``, ``show``, ``measures`` and the report all read these
plain structures; terminal tables, JSON and templates only present them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from malpl import swedish
from malpl.model import Config, Goal, Measure, Range, ScaleStep, Target
from malpl.periods import Period, PeriodError, parse_period, parse_point, period_name
from malpl.repository import MalplError, Repository
from malpl.text import paragraphs


@dataclass(frozen=True)
class Assessment:
    """A point on the scale as readers see it; ``key`` is None when not assessed."""

    key: str | None
    label: str
    color: str
    symbol: str
    rank: int | None

    @classmethod
    def of(cls, config: Config, key: str | None) -> Assessment:
        step: ScaleStep | None = config.step(key)
        if step is None:
            return cls(None, config.labels.unassessed, "#9e9e9e", "○", None)
        return cls(step.key, step.label, step.color, step.symbol, config.rank(key))


@dataclass
class TargetRow:
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

    @property
    def has_comment(self) -> bool:
        return bool(self.comment.strip())

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.comment)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"has_comment": self.has_comment}


@dataclass
class SummaryRow:
    key: str | None
    label: str
    color: str
    symbol: str
    count: int
    share: str
    fraction: float


def periods_with_followups(repo: Repository) -> list[Period]:
    scheme = repo.config.periods.scheme
    keys = {key for g in repo.goals for t in g.targets for key in t.followups}
    return sorted(parse_period(k, scheme) for k in keys)


def resolve_period(repo: Repository, text: str | None) -> Period:
    """The period asked for, or the latest one with follow-ups; unknown ones are errors."""
    known = periods_with_followups(repo)
    listing = ", ".join(map(str, known)) or "none yet"
    if text is None:
        if not known:
            raise MalplError("no follow-ups have been written for any period",
                             "add 'followups:' with a period such as T1-2023 under a target")
        return known[-1]
    try:
        period = parse_period(text, repo.config.periods.scheme)
    except PeriodError as err:
        raise MalplError(str(err), err.hint) from err
    if period not in known:
        raise MalplError(f"no follow-ups for {period}",
                         f"periods with follow-ups: {listing}")
    return period


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


def target_row(config: Config, goal: Goal, target: Target, period: Period) -> TargetRow:
    follow = target.followups.get(str(period))
    return TargetRow(
        goal_id=goal.id, goal_title=goal.title, id=target.id, text=target.text,
        responsible=target.responsible or goal.responsible or "",
        assessment=Assessment.of(config, follow.assessment if follow else None),
        forecast=Assessment.of(config, follow.forecast) if follow and follow.forecast else None,
        comment=(follow.comment or "") if follow else "",
        ready=bool(follow and follow.ready),
        value=follow.value if follow else None,
        value_text=(swedish.with_unit(follow.value, target.target.unit if target.target else None)
                    if follow and follow.value is not None else ""),
        target=target_text(target),
    )


def target_rows(repo: Repository, period: Period, goals: list[Goal] | None = None
                ) -> list[TargetRow]:
    return [target_row(repo.config, g, t, period)
            for g in (repo.goals if goals is None else goals) for t in g.targets]


def summary(config: Config, rows: list[TargetRow]) -> list[SummaryRow]:
    """Måluppfyllelse: count and share of targets per step of the scale, plus 'ej bedömd'."""
    total = len(rows)
    steps = [Assessment.of(config, s.key) for s in config.scale] + [Assessment.of(config, None)]
    result = []
    for step in steps:
        n = sum(1 for r in rows if r.assessment.key == step.key)
        result.append(SummaryRow(step.key, step.label, step.color, step.symbol, n,
                                 swedish.share(n, total), n / total if total else 0.0))
    return result


# --- measures -------------------------------------------------------------------------


@dataclass
class Point:
    key: str
    value: float
    text: str
    order: tuple[int, int] = (0, 0)


@dataclass
class ReferenceView:
    label: str
    series: list[Point]

    @property
    def latest(self) -> Point:
        return self.series[-1]


@dataclass
class MeasureView:
    goal_id: str
    id: str
    name: str
    unit: str
    direction: str
    source: str
    series: list[Point] = field(default_factory=list)
    forecasts: list[str] = field(default_factory=list)
    latest: Point | None = None
    baseline: Point | None = None
    target: str = ""
    target_value: float | None = None
    references: list[ReferenceView] = field(default_factory=list)
    trend: str = ""  # "better", "worse", "unchanged" or "" (unknown)
    progress: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(value: float, unit: str | None) -> str:
    return swedish.with_unit(value, unit)


def _series(values: dict[str, float], scheme: str, unit: str | None) -> list[Point]:
    points = [Point(k, v, _fmt(v, unit), parse_point(k, scheme).sort_key)
              for k, v in values.items()]
    return sorted(points, key=lambda p: p.order)


def measure_view(config: Config, goal: Goal, measure: Measure) -> MeasureView:
    scheme = config.periods.scheme
    unit = measure.unit
    view = MeasureView(goal.id, measure.id, measure.name, unit or "", measure.direction or "",
                       (measure.kpi and f"Kolada {measure.kpi}") or measure.source)
    view.series = _series(measure.values, scheme, unit)
    view.latest = view.series[-1] if view.series else None
    if measure.baseline in measure.values:
        value = measure.values[measure.baseline]
        view.baseline = next(p for p in view.series if p.key == measure.baseline)
    for key, value in sorted(measure.forecasts.items(),
                             key=lambda kv: parse_point(kv[0], scheme).sort_key):
        if isinstance(value, Range):
            text = f"{swedish.number(value.low)}–{_fmt(value.high, unit)}"
            note = f" ({value.note})" if value.note else ""
            view.forecasts.append(f"prognos {key}: {text}{note}")
        else:
            view.forecasts.append(f"prognos {key}: {_fmt(value, unit)}")
    for ref in measure.references.values():
        series = _series(ref.values, scheme, unit)
        if series:
            view.references.append(ReferenceView(ref.label, series))
    target = measure.target
    if target is not None:
        parts = []
        if target.value is not None:
            view.target_value = target.value
            word = {"higher": "minst ", "lower": "högst "}.get(measure.direction or "", "")
            parts.append(word + _fmt(target.value, unit))
        if target.reference and target.reference in measure.references:
            ref = measure.references[target.reference]
            parts.append(f"minst {ref.label.lower()}")
            ref_series = _series(ref.values, scheme, unit)
            if target.value is None and ref_series:
                view.target_value = ref_series[-1].value
        if target.by:
            parts.append(f"senast {target.by}")
        view.target = " ".join(parts)
    view.trend = _trend(view.series, measure.direction)
    view.progress = _progress(view, measure.direction)
    return view


def _trend(series: list[Point], direction: str | None) -> str:
    if len(series) < 2 or direction is None:
        return ""
    change = series[-1].value - series[-2].value
    if change == 0:
        return "unchanged"
    return "better" if (change > 0) == (direction == "higher") else "worse"


def _progress(view: MeasureView, direction: str | None) -> float | None:
    """How far the latest value has come from the baseline toward the target (0–1)."""
    if view.latest is None or view.target_value is None:
        return None
    start = view.baseline.value if view.baseline else 0.0
    span = view.target_value - start
    if span == 0 or (direction == "lower" and span > 0) or (direction == "higher" and span < 0):
        reached = (view.latest.value >= view.target_value if direction != "lower"
                   else view.latest.value <= view.target_value)
        return 1.0 if reached else 0.0
    return max(0.0, min(1.0, (view.latest.value - start) / span))


def measure_views(repo: Repository, goals: list[Goal] | None = None) -> list[MeasureView]:
    return [measure_view(repo.config, g, m)
            for g in (repo.goals if goals is None else goals) for m in g.measures]


def period_label(config: Config, period: Period) -> str:
    return period_name(period, config.periods.scheme, config.periods.labels)


# --- status, todo, show ---------------------------------------------------------------


def find_goal(repo: Repository, ident: str) -> Goal:
    goal = repo.goal(ident)
    if goal is None:
        raise MalplError(f"no goal with the id '{ident}'", "see the ids with 'malpl status'")
    return goal


@dataclass
class StatusView:
    period: str
    period_text: str
    rows: list[TargetRow]
    summary: list[SummaryRow]

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "period_text": self.period_text,
                "targets": [r.as_dict() for r in self.rows],
                "summary": [asdict(s) for s in self.summary]}


def status_view(repo: Repository, period: Period, *, goal: str | None = None,
                responsible: str | None = None, assessment: str | None = None) -> StatusView:
    """Targets in a period, filtered; the summary counts the filtered targets."""
    rows = target_rows(repo, period)
    if goal is not None:
        rows = [r for r in rows if r.goal_id == find_goal(repo, goal).id]
    if responsible is not None:
        rows = [r for r in rows if responsible.casefold() in r.responsible.casefold()]
    if assessment is not None:
        keys = {s.key for s in repo.config.scale} | {"ej_bedomd"}
        if assessment not in keys:
            raise MalplError(f"'{assessment}' is not on the scale",
                             "use one of: " + ", ".join(sorted(keys)))
        wanted = None if assessment == "ej_bedomd" else assessment
        rows = [r for r in rows if r.assessment.key == wanted]
    return StatusView(str(period), period_label(repo.config, period), rows,
                      summary(repo.config, rows))


@dataclass
class TodoItem:
    target: TargetRow
    missing: list[str]


def todo(repo: Repository, period: Period) -> dict[str, list[TodoItem]]:
    """What is missing per responsible person or unit, for reminders before a deadline."""
    groups: dict[str, list[TodoItem]] = {}
    for row in target_rows(repo, period):
        missing = []
        if not row.has_comment:
            missing.append("comment")
        if row.assessment.key is None:
            missing.append("assessment")
        if not row.ready:
            missing.append("ready")
        if missing:
            groups.setdefault(row.responsible or "(no one responsible)", []).append(
                TodoItem(row, missing))
    return dict(sorted(groups.items()))


@dataclass
class TargetHistory:
    row: TargetRow  # the chosen period
    history: list[tuple[str, Assessment, Assessment | None]]


@dataclass
class GoalDetail:
    goal: Goal
    level: str
    parent: Goal | None
    period: str
    targets: list[TargetHistory]
    measures: list[MeasureView]


def detail(repo: Repository, ident: str, period: Period | None = None) -> GoalDetail:
    """A goal, or one target of it, with history across every period."""
    goal = repo.goal(ident)
    chosen_targets: list[Target]
    if goal is not None:
        chosen_targets = goal.targets
    else:
        found = next(((g, t) for g in repo.goals for t in g.targets if t.id == ident), None)
        if found is None:
            raise MalplError(f"no goal or target with the id '{ident}'",
                             "goal ids look like 1.1 and target ids like 1.1.1; "
                             "see them with 'malpl status'")
        goal, target = found
        chosen_targets = [target]
    known = periods_with_followups(repo)
    if period is None:
        own = sorted({parse_period(k, repo.config.periods.scheme)
                      for t in chosen_targets for k in t.followups})
        period = own[-1] if own else (known[-1] if known else None)
    histories = []
    for target in chosen_targets:
        history = []
        for p in known:
            follow = target.followups.get(str(p))
            if follow is None:
                continue
            history.append((str(p), Assessment.of(repo.config, follow.assessment),
                            Assessment.of(repo.config, follow.forecast)
                            if follow.forecast else None))
        row = target_row(repo.config, goal, target, period) if period else None
        histories.append(TargetHistory(row, history))  # type: ignore[arg-type]
    level = next((lv.label for lv in repo.config.levels if lv.key == goal.level), goal.level)
    return GoalDetail(goal, level, repo.goal(goal.parent) if goal.parent else None,
                      str(period) if period else "", histories,
                      [measure_view(repo.config, goal, m) for m in goal.measures])
