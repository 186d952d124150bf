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
from malpl.lifecycle.edit import Plan, quoted
from malpl.model import Goal
from malpl.repository import GOALS_DIR, MalplError, Repository, UsageError
from malpl.views import chosen_bodies, find_goal, first_open


def _valid(ident: str, what: str, *, given: bool = False) -> str:
    """``ident`` if ``check`` will take it: an id check refuses is never written, since every
    command would then refuse the repository. Refused as a usage error when it was given."""
    fault = id_fault(ident, what)
    if fault is None:
        return ident
    message, hint = fault
    if given:
        raise UsageError(f"--id: {message}", hint)
    raise MalplError(f"the new {what} would get an id that check refuses: {message}", hint)


def _passing(plan: Plan, what: str) -> Plan:
    """``plan``, if the goal file it writes is one ``check`` takes: a value it refuses (an
    empty title) would make every command refuse the repository."""
    from malpl.repository import load_goal
    from malpl.yamlsource import load_text

    for name, _, _, new in plan.changes():
        source = load_text(name, new)
        load_goal(source)
        errors = [p for p in source.problems if p.is_error]
        if errors:
            raise UsageError(f"the new {what} would not pass 'malpl check': {errors[0].message}",
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


def plan_goal(repo: Repository, title: str, *, parent: str | None = None,
              body: str | None = None, level: str | None = None, ident: str | None = None,
              responsible: str | None = None) -> tuple[Plan, str]:
    """A new goal file; the body defaults to the parent's, the level to the one below it."""
    above = find_goal(repo, parent) if parent else None
    keys = [b.key for b in repo.config.body_list()]
    chosen_body = body or (above.body_key if above else keys[0])
    chosen_bodies(repo.config, [chosen_body])
    levels = [lv.key for lv in repo.config.levels]
    lowest = levels.index(above.level) + 1 if above and above.level in levels else 0
    if above and lowest == len(levels):
        raise UsageError(f"goal {above.id} is on the lowest level ({above.level}); no goal can "
                         "serve it", f"add its targets with 'malpl new target -g {above.id}', "
                         "or a lower level in malpl.yaml")
    if level is None:
        level = levels[lowest]
    elif level not in levels:
        raise UsageError(f"there is no level '{level}'", "levels: " + ", ".join(levels))
    elif above and levels.index(level) < lowest:
        raise UsageError(f"a goal on the level '{level}' cannot serve goal {above.id} "
                         f"({above.level})", "levels below it: " + ", ".join(levels[lowest:]))
    taken = _ids(repo)
    if ident is None:
        sep = ":" if above and ":" in above.id else "."
        ident = _valid(next_id(above.id, taken, sep) if above else _top_id(repo, chosen_body),
                       "goal")
    elif _valid(ident, "goal", given=True) in taken:
        raise MalplError(f"there is a goal or target '{ident}' already", "choose another id")
    name = _file_name(repo, chosen_body, ident)
    depth = name.count("/")
    text = (f"# yaml-language-server: $schema={'../' * depth}schema/goal.schema.json\n"
            + _yaml_line("id", ident) + f"level: {level}\n")
    if above:
        text += _yaml_line("parent", above.id)
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


def plan_target(repo: Repository, goal_id: str, text: str, *,
                responsible: str | None = None) -> tuple[Plan, str]:
    goal = find_goal(repo, goal_id)
    ident = _valid(next_id(goal.id, _ids(repo)), "target")
    entry: dict[str, Any] = {"id": quoted(ident), "text": text}
    if responsible:
        entry["responsible"] = responsible
    start = first_open(repo.config)
    if start is not None:
        entry["start"] = str(start)
    return _passing(_entry_plan(repo, goal.id, "targets", entry), "target"), ident


def plan_measure(repo: Repository, goal_id: str, name: str, *, unit: str | None = None,
                 direction: str | None = None, kpi: str | None = None) -> tuple[Plan, str]:
    goal = find_goal(repo, goal_id)
    ident = _valid(next_id(goal.id, [m.id for g in repo.goals for m in g.measures], mark="m"),
                   "measure")
    entry: dict[str, Any] = {"id": quoted(ident), "name": name}
    if unit:
        entry["unit"] = unit
    if direction:
        if direction not in ("higher", "lower"):
            raise MalplError(f"'{direction}' is not a direction", "write higher or lower")
        entry["direction"] = direction
    if kpi:
        from malpl.kolada import ids

        if not ids.is_kpi(kpi):
            raise UsageError(f"--kpi: '{kpi}' is not a Kolada KPI id", ids.KPI_HINT)
        entry.update(source="kolada", kpi=kpi)
    return _passing(_entry_plan(repo, goal.id, "measures", entry), "measure"), ident
