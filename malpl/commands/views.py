"""``status``, ``show``, ``todo`` and ``measures``: the goals in the terminal, as JSON, or
as a spreadsheet (CSV on stdout or in a file, xlsx in a file)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from malpl.commands.common import fail, load_valid, print_json, print_rich
from malpl.i18n import _
from malpl.output import echo, write

if TYPE_CHECKING:
    from malpl.spreadsheets import Sheet

SPREADSHEETS = ("csv", "xlsx")


def _refuse_output(args: Namespace) -> None:
    """-o names a spreadsheet file; an xlsx needs one (it is no text for a terminal)."""
    if args.output and args.format not in SPREADSHEETS:
        fail(_("-o writes a spreadsheet, not the format '{format}'").format(format=args.format),
             _("add --format csv or --format xlsx"), code=2)
    if args.format == "xlsx" and args.output in (None, "-"):
        fail(_("an xlsx file needs a name"),
             _("give it with -o, e.g. -o status.xlsx"), code=2)


def _spreadsheet(args: Namespace, root: Path, sheet: Sheet) -> None:
    """The sheet on stdout (CSV; also with ``-o -``), or in the file -o names."""
    from malpl import spreadsheets
    from malpl.spreadsheets.tables import KNOWN

    if args.output and args.output != "-":
        path = spreadsheets.write(root, args.output, sheet, args.format, KNOWN)
        echo(_("wrote {path}").format(path=path))
    else:
        write(spreadsheets.csv_text(sheet))


def status(args: Namespace) -> None:
    from malpl import views
    from malpl.snapshot import snapshot

    _refuse_output(args)
    repo = load_valid(args.root, args.at)
    goal = views.find_goal(repo, args.goal).id if args.goal is not None else None
    view = snapshot(repo, views.resolve_period(repo, args.period), bodies=args.body,
                    level=args.level).narrowed(goal=goal, responsible=args.responsible,
                                               assessment=args.assessment)
    if args.format == "json":
        print_json(view.as_dict())
    elif args.format in SPREADSHEETS:
        from malpl.spreadsheets import tables

        _spreadsheet(args, repo.root, tables.status(view))
    else:
        from malpl import terminal

        print_rich(terminal.status(view))


def show(args: Namespace) -> None:
    from malpl import terminal, views
    from malpl.model import plain

    _refuse_output(args)
    repo = load_valid(args.root, args.at)
    chosen = views.resolve_period(repo, args.period) if args.period else None
    detail = views.detail(repo, args.ident, chosen, bodies=args.body)
    if args.format == "table":
        print_rich(terminal.detail(detail))
        return
    if args.format in SPREADSHEETS:
        from malpl.spreadsheets import tables

        _spreadsheet(args, repo.root, tables.show(repo.config, detail))
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

    _refuse_output(args)
    repo = load_valid(args.root)
    chosen = views.resolve_period(repo, args.period)
    groups = snapshot(repo, chosen, bodies=args.body).narrowed(
        responsible=args.responsible).todo()
    if args.format == "table":
        from malpl import terminal

        print_rich(terminal.todo(groups, views.period_label(repo.config, chosen)))
    elif args.format == "xlsx":  # the sheet people answer in, for 'malpl import'
        from malpl import spreadsheets
        from malpl.answers.workbook import workbook
        from malpl.spreadsheets.tables import KNOWN

        path = spreadsheets.write_bytes(repo.root, args.output,
                                        workbook(repo, chosen, groups), "xlsx", KNOWN)
        echo(_("wrote {path}").format(path=path))
    elif args.format in SPREADSHEETS:
        from malpl.spreadsheets import tables

        _spreadsheet(args, repo.root, tables.todo(groups))
    else:
        print_json({who: [{"target": i.target.id, "kind": i.target.kind, "text": i.target.text,
                           "missing": i.missing} for i in items]
                    for who, items in groups.items()})
    return 1 if args.fail and groups else 0


def measures(args: Namespace) -> None:
    from malpl import views

    _refuse_output(args)
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
    elif args.format in SPREADSHEETS:
        from malpl.spreadsheets import tables

        _spreadsheet(args, repo.root, tables.measures(rows))
    else:
        print_json([m.as_dict() for m in rows])
