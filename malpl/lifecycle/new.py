"""``malpl new goal|target|measure``: a well-formed entry with the next free id.

Ids follow the parent's numbering: the goals under ``1`` are ``1.1``, ``1.2``, …
(``1:1`` under ``1`` when the repository writes ids with ':'), a goal's targets
``1.1.1``, ``1.1.2``, … and its measures ``1.1.m1``, ``1.1.m2``, … Keys are
written in the order docs/format.md documents.
"""

from __future__ import annotations

import re
from typing import Any

from malpl.checks import id_fault
from malpl.i18n import N_, _
from malpl.lifecycle.edit import Plan, quoted
from malpl.model import Goal
from malpl.repository import GOALS_DIR, MalplError, Repository, UsageError
from malpl.views import chosen_bodies, find_goal, first_open

#: What each kind of entry is called in the messages about a new one (the id check's own
#: word for it is the English key).
_REFUSED_ID = {
    "goal": N_("the new goal would get an id that check refuses: {reason}"),
    "target": N_("the new target would get an id that check refuses: {reason}"),
    "measure": N_("the new measure would get an id that check refuses: {reason}"),
}
_NOT_PASSING = {
    "goal": N_("the new goal would not pass 'malpl check': {reason}"),
    "target": N_("the new target would not pass 'malpl check': {reason}"),
    "measure": N_("the new measure would not pass 'malpl check': {reason}"),
}


def _valid(ident: str, what: str, *, given: bool = False) -> str:
    """``ident`` if ``check`` will take it: an id check refuses is never written, since every
    command would then refuse the repository. Refused as a usage error when it was given."""
    fault = id_fault(ident, what)
    if fault is None:
        return ident
    message, hint = fault
    if given:
        raise UsageError(f"--id: {message}", hint)
    raise MalplError(_(_REFUSED_ID[what]).format(reason=message), hint)


def _passing(plan: Plan, what: str) -> Plan:
    """``plan``, if the goal file it writes is one ``check`` takes: a value it refuses (an
    empty title) would make every command refuse the repository."""
    from malpl.repository import load_goal
    from malpl.yamlsource import load_text

    for name, _path, _old, new in plan.changes():
        source = load_text(name, new)
        load_goal(source)
        errors = [p for p in source.problems if p.is_error]
        if errors:
            raise UsageError(_(_NOT_PASSING[what]).format(reason=errors[0].message),
                             errors[0].hint)
    return plan


def next_id(prefix: str, taken: list[str], sep: str = ".", mark: str = "") -> str:
    """``prefix + sep + mark + n`` with ``n`` one more than the highest such id taken."""
    pattern = re.compile(re.escape(f"{prefix}{sep}{mark}") + r"(\d+)$")
    numbers = [int(m.group(1)) for t in taken if (m := pattern.match(t))]
    return f"{prefix}{sep}{mark}{max(numbers, default=0) + 1}"


def _ids(repo: Repository) -> list[str]:
    """Goal and target ids share one namespace (``malpl show ID`` finds either)."""
    return [g.id for g in repo.goals] + [t.id for g in repo.goals for t in g.targets]


def _top_id(repo: Repository, body: str) -> str:
    """A goal without a parent: the next number among the body's top goals."""
    numeric = [int(g.id) for g in repo.goals if g.body_key == body and g.id.isdigit()]
    if numeric or not [g for g in repo.goals if g.body_key == body]:
        return str(max(numeric, default=0) + 1)
    return next_id(body, _ids(repo))


def _file_name(repo: Repository, body: str, ident: str) -> str:
    stem = re.sub(r"[^\w.\-]", "-", ident)
    folder = f"{GOALS_DIR}/{body}/" if repo.config.bodies else f"{GOALS_DIR}/"
    return f"{folder}{stem}.yaml"


def _yaml_line(key: str, value: str) -> str:
    from malpl.output import json_text

    return f"{key}: {json_text(value)}\n"


def _parents(repo: Repository, parents: list[str]) -> list[Goal]:
    """The higher goals a new goal serves, each once, in the order given."""
    found: list[Goal] = []
    for ident in parents:
        goal = find_goal(repo, ident)
        if goal not in found:
            found.append(goal)
    return found


def plan_goal(repo: Repository, title: str, *, parents: list[str] | None = None,
              body: str | None = None, level: str | None = None, ident: str | None = None,
              responsible: str | None = None) -> tuple[Plan, str]:
    """A new goal file; the body defaults to the (first) parent's, the level to the one
    below the lowest parent's. Its id follows the first parent's numbering."""
    aboves = _parents(repo, parents or [])
    above = aboves[0] if aboves else None
    keys = [b.key for b in repo.config.body_list()]
    chosen_body = body or (above.body_key if above else keys[0])
    chosen_bodies(repo.config, [chosen_body])
    levels = [lv.key for lv in repo.config.levels]
    lowest, lowest_goal = 0, above
    for goal in aboves:
        below = levels.index(goal.level) + 1 if goal.level in levels else 0
        if below == len(levels):
            raise UsageError(
                _("goal {id} is on the lowest level ({level}); no goal can serve it").format(
                    id=goal.id, level=goal.level),
                _("add its targets with 'malpl new target -g {id}', or a lower level in "
                  "malpl.yaml").format(id=goal.id))
        if below > lowest:
            lowest, lowest_goal = below, goal
    if level is None:
        level = levels[lowest]
    elif level not in levels:
        raise UsageError(_("there is no level '{level}'").format(level=level),
                         _("levels: {levels}").format(levels=", ".join(levels)))
    elif lowest_goal and levels.index(level) < lowest:
        raise UsageError(
            _("a goal on the level '{level}' cannot serve goal {id} ({parent_level})").format(
                level=level, id=lowest_goal.id, parent_level=lowest_goal.level),
            _("levels below it: {levels}").format(levels=", ".join(levels[lowest:])))
    taken = _ids(repo)
    if ident is None:
        sep = ":" if above and ":" in above.id else "."
        ident = _valid(next_id(above.id, taken, sep) if above else _top_id(repo, chosen_body),
                       "goal")
    elif _valid(ident, "goal", given=True) in taken:
        raise MalplError(_("there is a goal or target '{id}' already").format(id=ident),
                         _("choose another id"))
    name = _file_name(repo, chosen_body, ident)
    depth = name.count("/")
    text = (f"# yaml-language-server: $schema={'../' * depth}schema/goal.schema.json\n"
            + _yaml_line("id", ident) + f"level: {level}\n")
    if len(aboves) == 1:
        text += _yaml_line("parent", aboves[0].id)
    elif aboves:  # a goal that serves two: the format's list, on one line
        from malpl.output import json_text

        text += f"parent: [{', '.join(json_text(g.id) for g in aboves)}]\n"
    if responsible:
        text += _yaml_line("responsible", responsible)
    start = first_open(repo.config)
    if start is not None:  # not in the closed periods' reports, todo or site
        text += f"start: {start}\n"
    text += _yaml_line("title", title)
    plan = Plan(repo.root)
    plan.create(repo.root / name, name, text)
    return _passing(plan, "goal"), ident


def _entry_plan(repo: Repository, goal_id: str, key: str, entry: dict[str, Any]) -> Plan:
    """Add ``entry`` to the goal's list ``key`` (targets or measures), creating the list
    in its documented place when the goal has none yet."""
    goal: Goal = find_goal(repo, goal_id)
    plan = Plan(repo.root)
    edit = plan.file(repo.root / goal.source.path, goal.source.path)
    if key in edit.doc:
        edit.append((key,), entry)
    else:
        later = [k for k in ("targets", "measures") if k in edit.doc and k != key]
        edit.add((), key, [entry], before=later[0] if key == "targets" and later else None)
    return plan


def number(text: str, option: str) -> int | float:
    """A value given on the command line, with a decimal comma or point: ``0,9`` is 0.9."""
    written = text.strip()
    if not re.fullmatch(r"-?[0-9]{1,15}([.,][0-9]{1,15})?", written):
        raise UsageError(_("{option}: '{text}' is not a number").format(option=option,
                                                                          text=text),
                         _("write a number such as 4 or 0,9"))
    written = written.replace(",", ".")
    return float(written) if "." in written else int(written)


def target_value(repo: Repository, *, minimum: str | None = None, maximum: str | None = None,
                 unit: str | None = None, by: str | None = None) -> dict[str, Any] | None:
    """The ``target:`` mapping of a new target (min, max, unit, by), as ``check`` will take
    it; None when none of them is given."""
    from malpl.periods import PeriodError, parse_point

    if minimum is None and maximum is None:
        if unit is not None or by is not None:
            raise UsageError(_("--unit and --by belong to a target value, which needs --min "
                               "or --max"), _("add --min NUMBER or --max NUMBER"))
        return None
    value: dict[str, Any] = {}
    if minimum is not None:
        value["min"] = number(minimum, "--min")
    if maximum is not None:
        value["max"] = number(maximum, "--max")
    if "min" in value and "max" in value and value["min"] > value["max"]:
        raise UsageError(_("--min {min} is above --max {max}").format(min=minimum, max=maximum),
                         _("swap the two values"))
    if unit:
        value["unit"] = unit
    if by is not None:
        try:
            parse_point(by, repo.config.periods.scheme)
        except PeriodError as err:
            raise UsageError(f"--by: {err}", err.hint) from err
        value["by"] = by
    return value


def plan_target(repo: Repository, goal_id: str, text: str, *,
                responsible: str | None = None,
                value: dict[str, Any] | None = None) -> tuple[Plan, str]:
    """A new target at the end of the goal's targets, with its ``target:`` value if given."""
    goal = find_goal(repo, goal_id)
    ident = _valid(next_id(goal.id, _ids(repo)), "target")
    entry: dict[str, Any] = {"id": quoted(ident), "text": text}
    if value:
        entry["target"] = value
    if responsible:
        entry["responsible"] = responsible
    start = first_open(repo.config)
    if start is not None:
        entry["start"] = str(start)
    return _passing(_entry_plan(repo, goal.id, "targets", entry), "target"), ident


def indicator_rule(*, bounds: dict[str, str | None], average: str | None = None,
                   partly: str | None = None) -> dict[str, Any] | None:
    """The ``target:`` rule of a new indicator: one bound (``min`` ≥, ``above`` >, ``max`` ≤,
    ``below`` <), an average over years, a partly band; None when no bound is given."""
    given = {kind: number(text, f"--{kind}") for kind, text in bounds.items() if text is not None}
    if len(given) > 1:
        raise UsageError(_("give one bound: {given}").format(
            given=", ".join(f"--{k}" for k in given)), _("e.g. --above 40 for 'more than 40'"))
    if not given:
        if average is not None or partly is not None:
            raise UsageError(_("--average and --partly belong to a rule, which needs a bound"),
                             _("add --min, --above, --max or --below"))
        return None
    rule: dict[str, Any] = dict(given)
    if average is not None:
        rule["average"] = int(number(average, "--average"))
    if partly is not None:
        rule["partly"] = number(partly, "--partly")
    return rule


def plan_measure(repo: Repository, goal_id: str, name: str, *, unit: str | None = None,
                 direction: str | None = None, kpi: str | None = None,
                 rule: dict[str, Any] | None = None, interval: int | None = None
                 ) -> tuple[Plan, str]:
    """A new measure; with ``rule`` an indicator (``assessed: true``), the row that is
    assessed by its rule and its value."""
    goal = find_goal(repo, goal_id)
    ident = _valid(next_id(goal.id, [m.id for g in repo.goals for m in g.measures], mark="m"),
                   "measure")
    entry: dict[str, Any] = {"id": quoted(ident), "name": name}
    if unit:
        entry["unit"] = unit
    if direction:
        if direction not in ("higher", "lower"):
            raise MalplError(_("'{direction}' is not a direction").format(direction=direction),
                             _("write higher or lower"))
        entry["direction"] = direction
    if kpi:
        from malpl.kolada import ids

        if not ids.is_kpi(kpi):
            raise UsageError(_("--kpi: '{kpi}' is not a Kolada KPI id").format(kpi=kpi),
                             _(ids.KPI_HINT))
        entry.update(source="kolada", kpi=kpi)
    if interval is not None and interval != 1:
        entry["interval"] = interval
    if rule is not None:
        entry.update(assessed=True, target=rule)
    return _passing(_entry_plan(repo, goal.id, "measures", entry), "measure"), ident
