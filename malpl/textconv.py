"""A goal file in a stable, readable form for ``git diff`` (a git textconv driver).

Git shows the difference between two of these renderings instead of raw YAML:
keys in a fixed order, one paragraph per line, assessments with their labels.
A file that does not load is printed as it is, so git always has something.
Either way the output passes :func:`malpl.text.visible` on its way out: a git
diff in a terminal never carries a file's escape sequences.
"""

from __future__ import annotations

from pathlib import Path

from malpl import swedish
from malpl.model import Config, FollowUp, Goal, Measure, plain
from malpl.repository import load_goal, read_config, read_source
from malpl.text import visible
from malpl.views import paragraphs, target_text


def _line(text: str) -> str:
    """A text on one line: a line break a person wrote is shown, never starts a line
    (the one a block (|) ends with is layout, and is left out)."""
    return " ⏎ ".join(text.rstrip("\r\n").split("\n"))


def _number(value: float | None) -> str:
    return "null" if value is None else swedish.number(value)


def _followups(follows: dict[str, FollowUp], config: Config) -> list[str]:
    lines = []
    for period in sorted(follows):
        follow = follows[period]
        step = config.step(follow.assessment)
        parts = [f"{step.symbol} {step.label}" if step else config.labels.unassessed]
        forecast = config.step(follow.forecast)
        if forecast:
            parts.append(f"forecast {forecast.symbol} {forecast.label}")
        if follow.value is not None:
            parts.append(f"value {swedish.number(follow.value)}")
        parts.append("ready" if follow.ready else "draft")
        lines.append(f"  {period}: " + ", ".join(parts))
        lines += [f"    {p}" for p in paragraphs(follow.comment)]
    return lines


def _measure(measure: Measure) -> list[str]:
    facts = [f for f in (measure.unit, measure.direction, measure.source, measure.kpi) if f]
    lines = ["", f"Measure {measure.id}: {_line(measure.name)} ({', '.join(facts)})"]
    lines += [f"  {key}: {_number(measure.values[key])}" for key in sorted(measure.values)]
    for key, value in sorted(measure.forecasts.items()):
        text = (swedish.number(value) if isinstance(value, (int, float))
                else f"{swedish.number(value.low)}–{swedish.number(value.high)}")
        lines.append(f"  forecast {key}: {text}")
    for name in ("missing", "breaks", "trends"):
        lines += [f"  {name} {key}: {_line(text)}"
                  for key, text in sorted(getattr(measure, name).items())]
    if measure.tolerance:
        lines.append(f"  tolerance: {swedish.number(measure.tolerance)}")
    if measure.target:
        shown = {k: v for k, v in plain(measure.target).items() if v is not None}
        lines.append(f"  target: {shown}")
    if measure.baseline:
        lines.append(f"  baseline: {measure.baseline}")
    if measure.note:
        lines.append(f"  note: {_line(measure.note)}")
    for name, ref in sorted(measure.references.items()):
        values = ", ".join(f"{k}: {_number(v)}" for k, v in sorted(ref.values.items()))
        lines.append(f"  {_line(ref.label)} ({name}): {values}")
    return lines


def render(goal: Goal, config: Config) -> str:
    lines = [f"Goal {goal.id}: {_line(goal.title)}", f"  level: {goal.level}"]
    if goal.parents:
        lines.append(f"  parent: {', '.join(goal.parents)}")
    for name in ("body", "order", "ended", "responsible"):
        if getattr(goal, name) is not None:
            lines.append(f"  {name}: {_line(str(getattr(goal, name)))}")
    lines += [f"  {p}" for p in paragraphs(goal.description)]
    lines += _followups(goal.followups, config)
    for target in goal.targets:
        lines += ["", f"Target {target.id}: {_line(target.text)}"]
        if target.responsible:
            lines.append(f"  responsible: {_line(target.responsible)}")
        if target.target:
            lines.append(f"  target: {target_text(target)}")
        lines += _followups(target.followups, config)
    for measure in goal.measures:
        lines += _measure(measure)
    return "\n".join(lines) + "\n"


def textconv(path: Path, root: Path) -> str:
    """The file for git diff: rendered if it loads, else as written; always visible."""
    source = read_source(path, root)
    goal = load_goal(source)
    if goal is None:
        try:
            return visible(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ""
    return visible(render(goal, read_config(root)))
