"""Measures as readers see them in one period: series, target, trend, gaps and breaks.

A view is bounded by its period: a value, reference or forecast that was not
known at the period's end is left out, so the T1 report reads the same after
T2 has been written. A yearly value counts from the end of its year.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from malpl import indicators, swedish
from malpl.kolada.data import KoladaData, KoladaFile, own_series
from malpl.model import UNASSESSED_SYMBOL, Config, Goal, Measure, Range, ScaleStep
from malpl.periods import SCHEMES, Period, parse_point
from malpl.record import Record, as_dict

#: The trend words readers see, by the key goal files and views use.
TREND_LABELS = {"better": "förbättrad", "unchanged": "oförändrad", "worse": "försämrad",
                "not_assessable": "kan ej bedömas", "": ""}

#: How often a series has a value: once a year, or once every period of the scheme.
Frequency = Literal["yearly", "periodic"]
#: The references an indicator's own values by gender become, as Kolada's split is shown.
GENDERS = (("women", "Kvinnor"), ("men", "Män"))


class Assessment(Record, frozen=True):
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
            return cls(None, config.labels.unassessed, "#767676", UNASSESSED_SYMBOL, None)
        return cls(step.key, step.label, step.color, step.symbol, config.rank(key))


class IndicatorView(Record):
    """An indicator's assessment in one period: its rule's, or one set by hand."""

    assessment: Assessment  # the one that counts
    computed: Assessment  # the rule's (not assessed when the rule cannot be applied)
    by: str  # "rule" (computed) or "hand" (set in the follow-up), "" when neither
    rule: str  # "i snitt över 2 % under tre år"
    basis: str  # the value the rule was applied to: "2,43 % (snitt 2021–2023, 3 värden)"
    why: str = ""  # why the rule gives no assessment ("inget värde ännu")


class Point(Record):
    key: str
    value: float
    text: str
    order: tuple[int, int] = (0, 0)


class Marker(Record):
    """A year or period with words instead of a value: a reason it is missing, a break."""

    key: str
    text: str


class ReferenceView(Record):
    label: str
    series: list[Point]

    @property
    def latest(self) -> Point:
        return self.series[-1]


class MeasureView(Record):
    goal_id: str
    id: str
    name: str
    unit: str
    direction: str
    source: str
    note: str = ""
    series: list[Point] = msgspec.field(default_factory=list)
    missing: list[Marker] = msgspec.field(default_factory=list)
    breaks: list[Marker] = msgspec.field(default_factory=list)
    forecasts: list[str] = msgspec.field(default_factory=list)
    latest: Point | None = None
    baseline: Point | None = None
    target: str = ""
    target_value: float | None = None
    target_kind: str = ""  # "floor", "ceiling", or "" when the direction is unknown
    target_reference: str = ""  # the label of the reference series the target follows
    references: list[ReferenceView] = msgspec.field(default_factory=list)
    trend: str = ""  # better, unchanged, worse, not_assessable, or "" (none)
    trend_manual: bool = False
    #: Why there is no trend: too_few, no_direction, break, kinds, gap ("" when there is one)
    trend_reason: str = ""
    trend_reason_text: str = ""  # the reason in Swedish, short enough for a table cell
    progress: float | None = None
    fetched: str = ""  # the day pulled Kolada figures last changed, when there are any
    indicator: IndicatorView | None = None  # an assessed measure's assessment in the period
    #: each known value (and each missing one) as a line: "2023: 6,5 % (kvinnor 7,6, män 4,0)"
    lines: list[str] = msgspec.field(default_factory=list)

    @property
    def trend_label(self) -> str:
        return TREND_LABELS[self.trend]

    @property
    def trend_text(self) -> str:
        """For a cell headed "Trend": the trend's word, or that there is none and why."""
        if self.trend_reason_text:
            return f"Ingen trend: {self.trend_reason_text}"
        return self.trend_label

    @property
    def trend_line(self) -> str:
        """For running text: "Trend: förbättrad", or "Ingen trend: värde saknas 2022"."""
        return f"Trend: {self.trend_label}" if self.trend_label else self.trend_text

    def as_dict(self) -> dict[str, Any]:
        return as_dict(self) | {"trend_label": self.trend_label, "trend_text": self.trend_text}


class _Bound:
    """Which keys of a series were known at the end of a period (all when no period)."""

    def __init__(self, scheme: str, period: Period | None) -> None:
        self.scheme = scheme
        self.end = period.end_month(scheme) if period else None

    def point(self, key: str) -> Period:
        return parse_point(key, self.scheme)

    def known(self, key: str) -> bool:
        return self.end is None or self.point(key).end_month(self.scheme) <= self.end

    def forecast_shown(self, key: str) -> bool:
        """A forecast is shown until the year it is for is over."""
        return self.end is None or self.point(key).year >= self.end[0]


def _series(values: dict[str, float | None], bound: _Bound, unit: str | None) -> list[Point]:
    points = [Point(k, v, swedish.with_unit(v, unit), bound.point(k).sort_key)
              for k, v in values.items() if v is not None and bound.known(k)]
    return sorted(points, key=lambda p: p.order)


def _markers(notes: dict[str, str], bound: _Bound) -> list[Marker]:
    keys = sorted((k for k in notes if bound.known(k)), key=lambda k: bound.point(k).sort_key)
    return [Marker(k, notes[k]) for k in keys]


def _target(view: MeasureView, measure: Measure, references: dict[str, ReferenceView]) -> None:
    target = measure.target
    if target is None:
        return
    unit = measure.unit
    parts = []
    if target.min is not None:
        parts.append("minst " + swedish.with_unit(target.min, unit))
        view.target_value, view.target_kind = target.min, "floor"
    if target.max is not None:
        parts.append("högst " + swedish.with_unit(target.max, unit))
        view.target_value, view.target_kind = target.max, "ceiling"
    for bound, word, kind in (("above", "över ", "floor"), ("below", "under ", "ceiling")):
        if getattr(target, bound) is not None:
            parts.append(word + swedish.with_unit(getattr(target, bound), unit))
            view.target_value, view.target_kind = getattr(target, bound), kind
    if target.value is not None:
        kind = {"higher": "floor", "lower": "ceiling"}.get(measure.direction or "", "")
        word = {"floor": "minst ", "ceiling": "högst "}.get(kind, "")
        parts.append(word + swedish.with_unit(target.value, unit))
        view.target_value, view.target_kind = target.value, kind
    if target.reference and target.reference in measure.references:
        label = measure.references[target.reference].label
        lower = measure.direction == "lower"
        parts.append(("högst " if lower else "minst ") + swedish.lower_first(label))
        view.target_reference = label
        view.target_kind = view.target_kind or ("ceiling" if lower else "floor")
        ref = references.get(target.reference)
        if view.target_value is None and ref is not None:
            view.target_value = ref.latest.value
    if target.by:
        parts.append(f"senast {target.by}")
    view.target = " ".join(parts)


def missing_between(before: Period, last: Period, scheme: str,
                    frequency: Frequency = "yearly", interval: int = 1) -> list[Period]:
    """The points a series of ``frequency`` should have had between two of its values.

    A yearly series lacks the whole years between them (T3-2022 and T1-2024 lack 2023;
    T1-2023 and T3-2023 lack nothing), one measured every ``interval`` years only the
    years it would have been measured (2019 and 2023 lack 2021; 2021 and 2023 nothing);
    a periodic one every period of the scheme between them. Years are counted in years
    whatever the frequency."""
    if frequency == "yearly" or not last.number or not before.number:
        return [Period(year, 0) for year in range(before.year + interval, last.year, interval)]
    prefix, count, _ = SCHEMES[scheme]
    first, end = before.year * count + before.number, last.year * count + last.number - 1
    return [Period(i // count, i % count + 1, prefix) for i in range(first, end)]


def _missing_text(points: list[Period]) -> str:
    if len(points) == 1:
        return f"värde saknas {points[0]}"
    return f"värden saknas {points[0]}–{points[-1]}"


def _no_trend(view: MeasureView, measure: Measure, bound: _Bound,
              frequency: Frequency) -> tuple[str, str]:
    """Why the latest value has no previous one to be compared with, or ("", "") if it has,
    or if there is no value at all (a reader sees that there is none, and a report says
    nothing its writer did not).

    The first reason that holds is given, those more values would not mend first:
    too few values, no direction, a break, a year against a period, a gap."""
    if len(view.series) < 2:
        return ("too_few", "bara ett värde") if view.series else ("", "")
    if measure.direction is None:
        return "no_direction", "okänt om högre är bättre"
    last, before = view.series[-1], view.series[-2]
    broken = [k for k in measure.breaks if before.order < bound.point(k).sort_key <= last.order]
    if broken:
        return "break", f"serien bryts {max(broken, key=lambda k: bound.point(k).sort_key)}"
    last_point, before_point = bound.point(last.key), bound.point(before.key)
    if bool(last_point.number) != bool(before_point.number):
        return "kinds", "olika slags perioder"
    gap = missing_between(before_point, last_point, bound.scheme, frequency, measure.interval)
    if gap:
        return "gap", _missing_text(gap)
    return "", ""


def _trend(view: MeasureView, measure: Measure, bound: _Bound,
           frequency: Frequency = "yearly") -> None:
    """Against the previous comparable value; where there is none, the reason why."""
    manual = [k for k in measure.trends if bound.known(k)]
    if manual:
        latest = max(manual, key=lambda k: bound.point(k).sort_key)
        if view.latest is None or bound.point(latest).sort_key >= view.latest.order:
            view.trend, view.trend_manual = measure.trends[latest], True
            return
    view.trend_reason, view.trend_reason_text = _no_trend(view, measure, bound, frequency)
    if view.trend_reason or len(view.series) < 2:
        return
    last, before = view.series[-1], view.series[-2]
    change = last.value - before.value
    if abs(change) <= measure.tolerance:
        view.trend = "unchanged"
    else:
        view.trend = "better" if (change > 0) == (measure.direction == "higher") else "worse"


def _progress(view: MeasureView) -> float | None:
    """How far the latest value has come from the baseline toward the target (0–1).

    Without a baseline there is no start, and no progress is invented."""
    if view.latest is None or view.target_value is None or view.baseline is None:
        return None
    start, goal, now = view.baseline.value, view.target_value, view.latest.value
    reached = now <= goal if view.target_kind == "ceiling" else now >= goal
    span = goal - start
    toward = span < 0 if view.target_kind == "ceiling" else span > 0
    if span == 0 or not toward:
        return 1.0 if reached else 0.0
    return max(0.0, min(1.0, (now - start) / span))


def pulled(config: Config, measure: Measure, kolada: KoladaData | None) -> KoladaFile | None:
    """The pulled file of a Kolada measure, if it was pulled."""
    if measure.source != "kolada" or kolada is None:
        return None
    return kolada.get(measure.kpi)


def _kolada_references(config: Config, measure: Measure, file: KoladaFile,
                       own_labels: set[str]) -> dict[str, dict[str, float]]:
    """Comparisons and, where asked, the split by gender; an own reference of the same
    name wins."""
    series = {}
    if measure.gender:
        who = measure.ou or config.organisation.kolada_id or ""
        for gender, word in (("K", "Kvinnor"), ("M", "Män")):
            series[word] = file.series(who, gender)
    for compare in [*config.kolada.compare, *measure.compare]:
        series.setdefault(compare.label, file.series(compare.id))
        if measure.gender:
            for gender, word in (("K", "kvinnor"), ("M", "män")):
                series.setdefault(f"{compare.label}, {word}", file.series(compare.id, gender))
    return {label: values for label, values in series.items() if label not in own_labels}


def measure_view(config: Config, goal: Goal, measure: Measure,
                 period: Period | None = None, kolada: KoladaData | None = None) -> MeasureView:
    """``kolada``: pulled figures, merged under the measure's own (own values win)."""
    bound = _Bound(config.periods.scheme, period)
    unit = measure.unit
    view = MeasureView(goal.id, measure.id, measure.name, unit or "", measure.direction or "",
                       (measure.kpi and f"Kolada {measure.kpi}") or swedish.SOURCES[measure.source],
                       note=measure.note or "")
    file = pulled(config, measure, kolada)
    values = dict(measure.values)
    if file is not None:
        values = own_series(config, measure, file) | values
        view.fetched = file.fetched
        view.source = f"Kolada {measure.kpi}, hämtad {file.fetched}"
    view.series = _series(values, bound, unit)
    view.missing = _markers(
        {k: measure.missing.get(k, "") for k, v in measure.values.items() if v is None}
        | measure.missing, bound)
    view.breaks = _markers(measure.breaks, bound)
    view.latest = view.series[-1] if view.series else None
    view.baseline = next((p for p in view.series if p.key == measure.baseline), None)
    for key, value in sorted(measure.forecasts.items(), key=lambda kv: bound.point(kv[0]).sort_key):
        if not bound.forecast_shown(key):
            continue
        if isinstance(value, Range):
            text = f"{swedish.number(value.low)}–{swedish.with_unit(value.high, unit)}"
            note = f" ({value.note})" if value.note else ""
            view.forecasts.append(f"prognos {key}: {text}{note}")
        else:
            view.forecasts.append(f"prognos {key}: {swedish.with_unit(value, unit)}")
    references = {}
    for name, ref in measure.references.items():
        series = _series(ref.values, bound, unit)
        if series:
            references[name] = ReferenceView(ref.label, series)
    for field, label in GENDERS:
        series = _series(getattr(measure, field), bound, unit)
        if series:
            references.setdefault(field, ReferenceView(label, series))
    if file is not None:
        own = {ref.label for ref in references.values()}
        for label, ref_values in _kolada_references(config, measure, file, own).items():
            series = _series(ref_values, bound, unit)
            if series:
                references[f"kolada:{label}"] = ReferenceView(label, series)
    view.references = list(references.values())
    _target(view, measure, references)
    _trend(view, measure, bound)
    view.progress = _progress(view)
    view.lines = value_lines(view, config.periods.scheme)
    if measure.assessed:
        view.indicator = _indicator(config, measure, view, _rule_reference(config, measure,
                                                                           references), period)
        view.target = view.indicator.rule
    return view


def _rule_reference(config: Config, measure: Measure, references: dict[str, ReferenceView]
                    ) -> ReferenceView | None:
    """The series a ``reference`` rule follows: one under ``references``, or for a Kolada
    measure a pulled comparison named by its label or its Kolada id ("0000")."""
    name = measure.target.reference if measure.target else None
    if not name:
        return None
    if name in measure.references:
        return references.get(name) or ReferenceView(measure.references[name].label, [])
    for compare in [*config.kolada.compare, *measure.compare]:
        if name in (compare.id, compare.label):
            return references.get(f"kolada:{compare.label}") or ReferenceView(compare.label, [])
    return None


def _indicator(config: Config, measure: Measure, view: MeasureView,
               reference: ReferenceView | None, period: Period | None) -> IndicatorView:
    """The rule applied to the values known in the period; a hand-set assessment in the
    period's follow-up wins (``check`` warns when it contradicts the rule)."""
    def points(series: list[Point]) -> list[tuple[str, int, float]]:
        return [(p.key, parse_point(p.key, config.periods.scheme).year, p.value)
                for p in series]

    found = indicators.verdict(config, measure, points(view.series),
                               points(reference.series) if reference else None,
                               reference.label if reference else "")
    computed = Assessment.of(config, found.key)
    follow = measure.followups.get(str(period)) if period is not None else None
    if follow is not None and config.step(follow.assessment) is not None:
        return IndicatorView(Assessment.of(config, follow.assessment), computed, "hand",
                             found.rule, found.basis, found.why)
    return IndicatorView(computed, computed, "rule" if found.key else "", found.rule,
                         found.basis, found.why)


def value_lines(view: MeasureView, scheme: str) -> list[str]:
    """Each value with women's and men's beside it (as many decimals as the total), and
    each missing year with its reason, oldest first: an indicator's row over the years."""
    genders = [r for r in view.references if r.label in {label for _, label in GENDERS}]
    lines = {}
    for point in view.series:
        decimals = len(swedish.number(point.value).partition(",")[2])
        split = [f"{swedish.lower_first(r.label)} {swedish.number(p.value, decimals)}"
                 for r in genders for p in r.series if p.key == point.key]
        lines[point.order] = (f"{point.key}: {point.text}"
                              + (f" ({', '.join(split)})" if split else ""))
    for marker in view.missing:
        reason = f" ({marker.text})" if marker.text else ""
        lines[parse_point(marker.key, scheme).sort_key] = f"{marker.key}: saknas{reason}"
    return [lines[k] for k in sorted(lines)]


def measure_views(config: Config, goals: list[Goal], period: Period | None = None,
                  kolada: KoladaData | None = None) -> list[MeasureView]:
    return [measure_view(config, g, m, period, kolada) for g in goals for m in g.measures]
