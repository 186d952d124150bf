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
from malpl.model import Config, Goal
from malpl.repository import load_goal, read_config, read_source
from malpl.text import visible
from malpl.views import paragraphs, target_text


def render(goal: Goal, config: Config) -> str:
    lines = [f"Goal {goal.id}: {goal.title}", f"  level: {goal.level}"]
    for name in ("parent", "responsible"):
        if getattr(goal, name):
            lines.append(f"  {name}: {getattr(goal, name)}")
    lines += [f"  {p}" for p in paragraphs(goal.description)]
    for target in goal.targets:
        lines += ["", f"Target {target.id}: {target.text}"]
        if target.responsible:
            lines.append(f"  responsible: {target.responsible}")
        if target.target:
            lines.append(f"  target: {target_text(target)}")
        for period in sorted(target.followups):
            follow = target.followups[period]
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
    for measure in goal.measures:
        facts = [f for f in (measure.unit, measure.direction, measure.source,
                             measure.kpi) if f]
        lines += ["", f"Measure {measure.id}: {measure.name} ({', '.join(facts)})"]
        for key in sorted(measure.values):
            lines.append(f"  {key}: {swedish.number(measure.values[key])}")
        for key, value in sorted(measure.forecasts.items()):
            text = (swedish.number(value) if isinstance(value, (int, float))
                    else f"{swedish.number(value.low)}–{swedish.number(value.high)}")
            lines.append(f"  forecast {key}: {text}")
        if measure.target:
            lines.append(f"  target: {measure.target.model_dump(exclude_none=True)}")
        if measure.baseline:
            lines.append(f"  baseline: {measure.baseline}")
        for name, ref in sorted(measure.references.items()):
            values = ", ".join(f"{k}: {swedish.number(v)}" for k, v in sorted(ref.values.items()))
            lines.append(f"  {ref.label} ({name}): {values}")
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
