"""``malpl rollover YEAR``: the change of year.

Goals that continue need nothing: their follow-ups and measure series simply
go on. A goal that ends is marked ``ended: <last year>`` (one added line) and
stays in its file, so past reports (from their tag, or from the working tree
for their periods) render as before, while ``period open`` for the new year
passes it by. New goals from the budget are added with ``malpl new goal``.
"""

from __future__ import annotations

from dataclasses import dataclass

from malpl.i18n import _
from malpl.lifecycle.edit import Plan
from malpl.periods import parse_point
from malpl.repository import MalplError, Repository, natural_key
from malpl.views import find_goal


@dataclass
class Rollover:
    plan: Plan
    ended: list[str]
    continuing: list[str]
    #: Targets of continuing goals whose deadline (``target: {by: …}``) has passed:
    #: "1.3.1 (2025)", for the planner to renew, end or keep on purpose.
    overdue: list[str]


def rollover(repo: Repository, year: int, end: list[str]) -> Rollover:
    """Mark the goals ``end`` as ended with the year before ``year``."""
    last = year - 1
    plan = Plan(repo.root)
    for ident in end:
        goal = find_goal(repo, ident)
        if goal.ended is not None:
            raise MalplError(_("goal {id} ended already ({year})").format(id=goal.id,
                                                                         year=goal.ended),
                             _("leave it out of --end"))
        edit = plan.file(repo.root / goal.source.path, goal.source.path)
        keys = list(edit.doc)
        after = keys.index("level") + 1 if "level" in keys else len(keys)
        edit.add((), "ended", last, before=keys[after] if after < len(keys) else None)
    ended = {find_goal(repo, i).id for i in end}
    running = [g for g in repo.goals if g.id not in ended and (g.ended is None or g.ended >= year)]
    scheme = repo.config.periods.scheme
    overdue = [f"{t.id} ({t.target.by})" for g in running for t in g.targets
               if t.target is not None and t.target.by is not None
               and parse_point(t.target.by, scheme).year < year]
    return Rollover(plan, sorted(ended, key=natural_key), [g.id for g in running], overdue)
