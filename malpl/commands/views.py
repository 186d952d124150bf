"""``status``, ``show``, ``todo`` and ``measures``: the goals in the terminal, JSON or CSV."""

from __future__ import annotations

from argparse import Namespace
from typing import Any

from malpl.commands.common import load_valid, print_json, print_rich
from malpl.output import write


def status(args: Namespace) -> None:
    from malpl import views
    from malpl.snapshot import snapshot

    repo = load_valid(args.root, args.at)
    goal = views.find_goal(repo, args.goal).id if args.goal is not None else None
    view = snapshot(repo, views.resolve_period(repo, args.period), bodies=args.body,
                    level=args.level).narrowed(goal=goal, responsible=args.responsible,
                                               assessment=args.assessment)
    if args.format == "json":
        print_json(view.as_dict())
    elif args.format == "csv":
        from malpl.output import csv_text

        write(csv_text([["period", "body", "goal", "target", "kind", "text", "responsible",
                         "assessment", "forecast", "has_comment", "ready", "rollup"]] +
                       [[str(view.period), row.body, row.goal_id, row.id, row.kind, row.text,
                         row.responsible, row.assessment.key or "",
                         row.forecast.key if row.forecast else "", row.has_comment, row.ready,
                         row.rollup] for row in view.rows]))
    else:
        from malpl import terminal

        print_rich(terminal.status(view))


def show(args: Namespace) -> None:
    from malpl import terminal, views
    from malpl.model import plain

    repo = load_valid(args.root, args.at)
    chosen = views.resolve_period(repo, args.period) if args.period else None
    detail = views.detail(repo, args.ident, chosen, bodies=args.body)
    if args.format == "table":
        print_rich(terminal.detail(detail))
        return

    def history(t: views.TargetHistory) -> dict[str, Any]:
        return {"current": t.row.as_dict(),
                "history": [{"period": p, "assessment": a.key, "forecast": f.key if f else None}
                            for p, a, f in t.history]}

    print_json({"goal": plain(detail.goal), "body": detail.body, "period": detail.period,
                "parents": [p.id for p in detail.parents],
                "own": history(detail.own) if detail.own else None,
                "broken_down_by": {name: [g.id for g in goals]
                                   for name, goals in (detail.children or {}).items()},
                "targets": [history(t) for t in detail.targets],
                "measures": [m.as_dict() for m in detail.measures]})


def todo(args: Namespace) -> int:
    from malpl import views
    from malpl.snapshot import snapshot

    repo = load_valid(args.root)
    chosen = views.resolve_period(repo, args.period)
    groups = snapshot(repo, chosen, bodies=args.body).todo()
    if args.format == "table":
        from malpl import terminal

        print_rich(terminal.todo(groups, views.period_label(repo.config, chosen)))
    else:
        print_json({who: [{"target": i.target.id, "kind": i.target.kind, "text": i.target.text,
                           "missing": i.missing} for i in items]
                    for who, items in groups.items()})
    return 1 if args.fail and groups else 0


def measures(args: Namespace) -> None:
    from malpl import views

    repo = load_valid(args.root)
    goals = ([views.find_goal(repo, args.goal)] if args.goal
             else repo.goals_of(views.chosen_bodies(repo.config, args.body)))
    chosen = views.resolve_period(repo, args.period) if args.period else None
    if chosen is not None:  # a goal that did not exist then has no measures then
        goals = views.current(repo.config, goals, chosen)
    rows = views.measure_views(repo, goals, chosen)
    if args.format == "table":
        from malpl import terminal

        print_rich(terminal.measures(rows))
    else:
        print_json([m.as_dict() for m in rows])
