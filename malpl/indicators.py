"""An indicator's assessment, computed from its stated rule and its figures.

A measure with ``assessed: true`` is the assessed row itself (an indikator): its target
rule (``target:``) and its value decide the period's assessment, and the reader sees
which rule and which value made it. A hand-set assessment (the measure's follow-up)
still wins, and ``check`` warns when it contradicts the rule.

Rules, in the measure's own unit:

- ``min: 40`` at least 40 (≥), ``above: 40`` more than 40 (>), ``max: 12`` at most
  12 (≤), ``below: 6`` less than 6 (<); ``value: 40`` is ``min`` or ``max`` by the
  measure's ``direction``;
- ``average: 3`` compares the average of the values of the last three years, not the
  latest value alone;
- ``reference: riket`` is reached at the reference series' value (at least it, or at
  most it when lower is better);
- ``partly: 2``: missed by no more than 2 is "partly" (the scale's second step).

Reached is the scale's best step, partly its second, missed its last judged step.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from malpl import swedish
from malpl.model import Config, Measure, MeasureTarget
from malpl.periods import Period, parse_point
from malpl.record import Record

#: (the comparison, its words before the value) per kind of bound.
BOUNDS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "min": (operator.ge, "minst"),
    "above": (operator.gt, "över"),
    "max": (operator.le, "högst"),
    "below": (operator.lt, "under"),
}


WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio",
         10: "tio"}


class Verdict(Record, frozen=True):
    """What the rule says of one period: the step, and the words that show why."""

    key: str | None  # the scale step, None when the rule cannot be applied
    outcome: str  # reached, partly, missed, or "" (no value, no rule)
    rule: str  # the rule in words: "i snitt över 2 % under tre år"
    basis: str  # the value it was applied to: "2,43 % (snitt 2021–2023)"
    why: str = ""  # when there is no outcome: why not ("inget värde 2023")


def bound_of(target: MeasureTarget, direction: str | None) -> tuple[str, float] | None:
    """The kind of bound (min, above, max, below) and its value; None without one."""
    for kind in ("above", "below", "min", "max"):
        value = getattr(target, kind)
        if value is not None:
            return kind, value
    if target.value is not None and direction in ("higher", "lower"):
        return ("min" if direction == "higher" else "max"), target.value
    return None


def rule_text(measure: Measure, reference_label: str = "") -> str:
    """The rule in the words a reader sees beside the assessment."""
    target = measure.target
    if target is None:
        return ""
    unit = measure.unit
    parts = []
    found = bound_of(target, measure.direction)
    if found is not None:
        kind, value = found
        parts.append(f"{BOUNDS[kind][1]} {swedish.with_unit(value, unit)}")
    elif target.reference:
        word = "högst" if measure.direction == "lower" else "minst"
        parts.append(f"{word} {swedish.lower_first(reference_label or target.reference)}")
    if target.average:
        parts = [f"i snitt {p}" for p in parts]
        parts.append(f"under {WORDS.get(target.average, str(target.average))} år")
    if target.partly:
        parts.append(f"(delvis inom {swedish.with_unit(target.partly, unit)})")
    if target.by:
        parts.append(f"senast {target.by}")
    return " ".join(parts)


def verdict(config: Config, measure: Measure, series: list[tuple[str, int, float]],
            reference: list[tuple[str, int, float]] | None = None,
            reference_label: str = "") -> Verdict:
    """The rule applied to ``series`` (key, year, value: the values known at the period's
    end, oldest first); ``reference``: the reference series the rule may follow."""
    rule = rule_text(measure, reference_label)
    target = measure.target
    if target is None or not rule:
        return Verdict(None, "", rule, "", "inget mål att bedöma mot")
    if not series:
        return Verdict(None, "", rule, "", "inget värde ännu")
    unit = measure.unit
    key, year, value = series[-1]
    basis = f"{swedish.with_unit(value, unit)} ({key})"
    if target.average:
        window = [v for _, y, v in series if year - target.average < y <= year]
        value = sum(window) / len(window)
        first = min(y for _, y, _ in series if year - target.average < y <= year)
        basis = (f"{swedish.with_unit(round(value, 2), unit)} "
                 f"(snitt {first}–{year}, {len(window)} värden)")
    found = bound_of(target, measure.direction)
    if found is None and target.reference:
        if not reference:
            return Verdict(None, "", rule, basis, f"{reference_label or target.reference} "
                           "saknar värde")
        ref_key, _, ref_value = reference[-1]
        found = ("max" if measure.direction == "lower" else "min"), ref_value
        basis += f"; {reference_label or target.reference} {swedish.with_unit(ref_value, unit)}"
        basis += f" ({ref_key})" if ref_key != key else ""
    if found is None:
        return Verdict(None, "", rule, basis, "okänt om högre är bättre")
    kind, limit = found
    compare = BOUNDS[kind][0]
    if compare(value, limit):
        outcome = "reached"
    elif target.partly is not None and abs(value - limit) <= target.partly:
        outcome = "partly"
    else:
        outcome = "missed"
    return Verdict(step_for(config, outcome), outcome, rule, basis)


def known_series(values: dict[str, float | None], period: Period, scheme: str
                 ) -> list[tuple[str, int, float]]:
    """(key, year, value) of the values known at the end of ``period``, oldest first: a
    yearly value counts from the end of its year."""
    end = period.end_month(scheme)
    found = []
    for key, value in values.items():
        point = parse_point(key, scheme)
        if value is not None and point.end_month(scheme) <= end:
            found.append((point.sort_key, key, point.year, value))
    return [(key, year, value) for _, key, year, value in sorted(found)]


def step_for(config: Config, outcome: str) -> str | None:
    """Reached is the scale's best judged step, partly its second, missed its last."""
    judged = [s.key for s in config.scale if s.assessed]
    if not judged:
        return None
    if outcome == "reached":
        return judged[0]
    if outcome == "partly" and len(judged) > 2:
        return judged[1]
    return judged[-1]
