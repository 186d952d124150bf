"""A goal file in a stable, readable form for ``git diff`` (a git textconv driver).

Git shows the difference between two of these renderings instead of raw YAML:
keys in a fixed order, one paragraph per line, assessments with their labels,
numbers the Swedish way with every digit the file holds (a change in the third
decimal shows). The words are in the language in use, the same on both sides of a
diff. A file that does not load is printed as it is, so git always has something.
Either way the output passes :func:`malpl.text.visible` on its way out: a git
diff in a terminal never carries a file's escape sequences.
"""

from __future__ import annotations

from pathlib import Path

from malpl.diff import number, value_text
from malpl.i18n import _
from malpl.model import Config, FollowUp, Goal, Measure, plain
from malpl.repository import load_goal, read_config, read_source
from malpl.text import visible
from malpl.views import paragraphs, target_text


def _line(text: str) -> str:
    """A text on one line: a line break a person wrote is shown, never starts a line
    (the one a block (|) ends with is layout, and is left out)."""
    return " ⏎ ".join(text.rstrip("\r\n").split("\n"))


def _number(value: float | None) -> str:
    return "null" if value is None else number(value)


def _followups(follows: dict[str, FollowUp], config: Config) -> list[str]:
    lines = []
    for period in sorted(follows):
        follow = follows[period]
        step = config.step(follow.assessment)
        parts = [f"{step.symbol} {step.label}" if step else config.labels.unassessed]
        forecast = config.step(follow.forecast)
        if forecast:
            parts.append(_("forecast {assessment}").format(
                assessment=f"{forecast.symbol} {forecast.label}"))
        if follow.value is not None:
            parts.append(_("value {value}").format(value=number(follow.value)))
        shown = ", ".join(parts)
        state = _("{facts}, ready") if follow.ready else _("{facts}, draft")
        lines.append(f"  {period}: " + state.format(facts=shown))
        lines += [f"    {p}" for p in paragraphs(follow.comment)]
    return lines


def _measure(measure: Measure) -> list[str]:
    facts = [f for f in (measure.unit, measure.direction, measure.source, measure.kpi) if f]
    lines = ["", _("Measure {id}: {name} ({facts})").format(
        id=measure.id, name=_line(measure.name), facts=", ".join(facts))]
    lines += [f"  {key}: {_number(measure.values[key])}" for key in sorted(measure.values)]
    for key, value in sorted(measure.forecasts.items()):
        text = (number(value) if isinstance(value, (int, float))
                else f"{number(value.low)}–{number(value.high)}")
        lines.append(_("  forecast {period}: {value}").format(period=key, value=text))
    series = {"missing": _("  missing {period}: {text}"), "breaks": _("  break {period}: {text}"),
              "trends": _("  trend {period}: {text}")}
    for name, message in series.items():
        lines += [message.format(period=key, text=_line(text))
                  for key, text in sorted(getattr(measure, name).items())]
    if measure.tolerance:
        lines.append(_("  tolerance: {value}").format(value=number(measure.tolerance)))
    if measure.target:
        lines.append(_("  target: {target}").format(target=value_text(
            {k: v for k, v in plain(measure.target).items() if v is not None})))
    if measure.baseline:
        lines.append(_("  baseline: {year}").format(year=measure.baseline))
    if measure.note:
        lines.append(_("  note: {text}").format(text=_line(measure.note)))
    for name, ref in sorted(measure.references.items()):
        values = ", ".join(f"{k}: {_number(v)}" for k, v in sorted(ref.values.items()))
        lines.append(f"  {_line(ref.label)} ({name}): {values}")
    return lines


def render(goal: Goal, config: Config) -> str:
    lines = [_("Goal {id}: {title}").format(id=goal.id, title=_line(goal.title)),
             _("  level: {level}").format(level=goal.level)]
    if goal.parents:
        lines.append(_("  parent: {ids}").format(ids=", ".join(goal.parents)))
    facts = {"body": _("  body: {value}"), "order": _("  order: {value}"),
             "ended": _("  ended: {value}"), "responsible": _("  responsible: {value}")}
    for name, message in facts.items():
        if getattr(goal, name) is not None:
            lines.append(message.format(value=_line(str(getattr(goal, name)))))
    lines += [f"  {p}" for p in paragraphs(goal.description)]
    lines += _followups(goal.followups, config)
    for target in goal.targets:
        lines += ["", _("Target {id}: {text}").format(id=target.id, text=_line(target.text))]
        if target.responsible:
            lines.append(_("  responsible: {value}").format(
                value=_line(target.responsible)))
        if target.target:
            lines.append(_("  target: {target}").format(target=target_text(target)))
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
