"""The year around the goals (:mod:`malpl.lifecycle`): init, new, period open/close, rollover."""

from __future__ import annotations

import sys
from argparse import Namespace
from typing import Any

from malpl.commands.common import apply_plan, fail, load_valid, plural, print_rich
from malpl.output import echo


def _write(plan: Any, dry_run: bool, done: str) -> None:
    """Write ``plan`` (or show it), first removing the temporary files of runs that were
    killed half-way, which ``git add -A`` would otherwise commit."""
    if not dry_run:
        stale = plan.tidy()
        if stale:
            echo(f"removed {plural(len(stale), 'temporary file')} a stopped run of malpl "
                 "left among the goal files", err=True)
    apply_plan(plan, dry_run, done)


def period_open(args: Namespace) -> None:
    from malpl.lifecycle.period import open_period
    from malpl.views import chosen_bodies, resolve_period

    repo = load_valid(args.root)
    chosen = resolve_period(repo, args.period)
    opened = open_period(repo, chosen, chosen_bodies(repo.config, args.body),
                         carry=args.carry or args.carry_comment, carry_comment=args.carry_comment)
    _write(opened.plan, args.dry_run,
           f"opened {chosen} in {plural(len(opened.places), 'place')}")


def period_close(args: Namespace) -> None:
    from malpl import terminal
    from malpl.lifecycle.period import close_period
    from malpl.views import chosen_bodies, period_label, resolve_period

    repo = load_valid(args.root)
    chosen = resolve_period(repo, args.period)
    closed = close_period(repo, chosen, chosen_bodies(repo.config, args.body),
                          tag=None if args.no_tag else (args.tag or str(chosen)))
    if closed.missing:
        print_rich(terminal.todo(closed.missing, period_label(repo.config, chosen)))
        fail(f"{chosen} is not ready: {plural(sum(map(len, closed.missing.values())), 'place')} "
             "still missing something", "write what 'malpl todo' lists, mark it ready: true, "
             "commit, and close again")
    echo(f"{chosen} is complete" + (f"; tagged {closed.tag}" if closed.tag else ""))


def _ask(question: str, default: str) -> str:
    """One answer from the person at the terminal; Enter takes the default."""
    shown = f" [{default}]" if default else ""
    try:
        return input(f"{question}{shown}: ").strip() or default
    except EOFError:  # Ctrl-D: the person gave up
        echo()
        raise SystemExit(1) from None


def init(args: Namespace) -> None:
    from malpl.lifecycle.init import BodySpec, Settings, init, plan_init

    settings = Settings(scheme=args.scheme)
    name, kolada_id = args.name, args.kolada_id
    if name is None and sys.stdin.isatty():
        name = _ask("The municipality's name", settings.name)
    if kolada_id is None and sys.stdin.isatty():
        kolada_id = _ask("Its Kolada id (empty: none)", "")
    settings.name = name or settings.name
    settings.kolada_id = kolada_id or None
    if args.body:
        settings.bodies = [BodySpec.parse(b) for b in args.body]
    if args.dry_run:
        apply_plan(plan_init(args.directory, settings), True, "")
        return
    names = init(args.directory, settings, git=args.git)
    echo(f"wrote {plural(len(names), 'file')} in {args.directory}"
         + ("; committed them in a new git repository" if args.git else ""))
    if not args.git:
        import shlex

        from malpl.lifecycle.vcs import textconv_command

        echo(f"next: git init, and git config diff.malpl.textconv {shlex.quote(textconv_command())}")


def _added(plan_and_id: tuple[Any, str], dry_run: bool, what: str) -> None:
    plan, ident = plan_and_id
    _write(plan, dry_run, f"added {what} {ident}")


def new_goal(args: Namespace) -> None:
    from malpl.lifecycle.new import plan_goal

    repo = load_valid(args.root)
    _added(plan_goal(repo, args.title, parent=args.parent, body=args.body, level=args.level,
                     ident=args.ident, responsible=args.responsible), args.dry_run, "goal")


def new_target(args: Namespace) -> None:
    from malpl.lifecycle.new import plan_target

    repo = load_valid(args.root)
    _added(plan_target(repo, args.goal, args.text, responsible=args.responsible), args.dry_run,
           "target")


def new_measure(args: Namespace) -> None:
    from malpl.lifecycle.new import plan_measure

    repo = load_valid(args.root)
    _added(plan_measure(repo, args.goal, args.name, unit=args.unit, direction=args.direction,
                        kpi=args.kpi), args.dry_run, "measure")


def rollover(args: Namespace) -> None:
    from malpl.lifecycle.rollover import rollover as roll

    result = roll(load_valid(args.root), args.year, args.end or [])
    _write(result.plan, args.dry_run, f"marked {plural(len(result.ended), 'goal')} ended "
           f"{args.year - 1}")
    echo(f"{plural(len(result.continuing), 'goal')} carry on into {args.year}; add the "
         "budget's new goals with 'malpl new goal'")
    if result.overdue:
        echo(f"{plural(len(result.overdue), 'target')} whose deadline has passed carry on too: "
             f"{', '.join(result.overdue)}; give them a new 'by:', or end their goals with "
             "--end", err=True)
