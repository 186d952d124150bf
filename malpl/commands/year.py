"""The year around the goals (:mod:`malpl.lifecycle`): init, new, period open/close, rollover."""

from __future__ import annotations

import sys
from argparse import Namespace
from typing import Any

from malpl.commands.common import apply_plan, fail, load_valid, print_rich
from malpl.i18n import _, ngettext
from malpl.output import echo


def _write(plan: Any, dry_run: bool, done: str) -> None:
    """Write ``plan`` (or show it), first removing the temporary files of runs that were
    killed half-way, which ``git add -A`` would otherwise commit."""
    if not dry_run:
        stale = plan.tidy()
        if stale:
            echo(ngettext("removed {n} temporary file a stopped run of malpl left among the "
                          "goal files",
                          "removed {n} temporary files a stopped run of malpl left among the "
                          "goal files", len(stale)).format(n=len(stale)), err=True)
    apply_plan(plan, dry_run, done)


def period_open(args: Namespace) -> None:
    from malpl.lifecycle.period import open_period
    from malpl.views import chosen_bodies, resolve_period

    repo = load_valid(args.root)
    chosen = resolve_period(repo, args.period)
    carry = args.carry or args.carry_comment
    opened = open_period(repo, chosen, chosen_bodies(repo.config, args.body),
                         carry=carry, carry_comment=args.carry_comment)
    n = len(opened.places)
    _write(opened.plan, args.dry_run, ngettext("opened {period} in {n} place",
                                               "opened {period} in {n} places", n).format(
                                                   period=chosen, n=n))
    if carry:
        echo(_carried(opened.carried, args.carry_comment), err=args.dry_run)


def _carried(n: int, comment: bool) -> str:
    """What ``--carry`` copied, and on a line of its own what to do about it: an assessment
    that is last period's must not pass unseen."""
    if not n:
        return _("there was no earlier assessment to start from")
    if comment:
        text = ngettext("copied last period's assessment, forecast and comment in {n} place",
                        "copied last period's assessment, forecast and comment in {n} places", n)
    else:
        text = ngettext("copied last period's assessment and forecast in {n} place",
                        "copied last period's assessment and forecast in {n} places", n)
    return text.format(n=n) + "\n" + _("check that they still hold before you mark them ready")


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
        n = sum(map(len, closed.missing.values()))
        fail(ngettext("{period} is not ready: {n} place still lacks something",
                      "{period} is not ready: {n} places still lack something", n).format(
                          period=chosen, n=n),
             _("write what 'malpl todo' lists, set `ready: true`, commit it to git, and close "
               "again"))
    echo(_("{period} is complete").format(period=chosen))
    if closed.tag:
        echo(_("the version of the files the board gets is tagged {tag} in git").format(
            tag=closed.tag))


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
        name = _ask(_("The municipality's name"), settings.name)
    if kolada_id is None and sys.stdin.isatty():
        kolada_id = _ask(_("Its municipality code in Kolada, e.g. 2260 (empty: none)"), "")
    settings.name = name or settings.name
    settings.kolada_id = kolada_id or None
    if args.body:
        settings.bodies = [BodySpec.parse(b) for b in args.body]
    settings.install_from = args.install_from or settings.install_from
    settings.hook_repo = args.hook_repo or settings.hook_repo
    settings.hook_rev = args.hook_rev or settings.hook_rev
    if args.dry_run:
        apply_plan(plan_init(args.directory, settings), True, "")
        return
    names = init(args.directory, settings, git=args.git)
    n = len(names)
    if args.git:
        echo(ngettext("wrote {n} file in {folder} and committed it in a new git repository",
                      "wrote {n} files in {folder} and committed them in a new git repository",
                      n).format(n=n, folder=args.directory))
        return
    import shlex

    from malpl.lifecycle.vcs import textconv_command

    echo(ngettext("wrote {n} file in {folder}", "wrote {n} files in {folder}", n).format(
        n=n, folder=args.directory))
    echo(_("next: git init, and so that git shows changes to goal files as goals, not as "
           "YAML:"))
    echo(f"  git config diff.malpl.textconv {shlex.quote(textconv_command())}")


def new_goal(args: Namespace) -> None:
    from malpl.lifecycle.new import plan_goal

    repo = load_valid(args.root)
    plan, ident = plan_goal(repo, args.title, parents=args.parent, body=args.body,
                            level=args.level, ident=args.ident, responsible=args.responsible)
    _write(plan, args.dry_run, _("added goal {id}").format(id=ident))


def new_target(args: Namespace) -> None:
    from malpl.lifecycle.new import plan_target, target_value

    repo = load_valid(args.root)
    value = target_value(repo, minimum=args.min, maximum=args.max, unit=args.unit, by=args.by)
    plan, ident = plan_target(repo, args.goal, args.text, responsible=args.responsible,
                              value=value)
    _write(plan, args.dry_run, _("added target {id}").format(id=ident))


def new_measure(args: Namespace) -> None:
    from malpl.lifecycle.new import indicator_rule, plan_measure

    repo = load_valid(args.root)
    rule = indicator_rule(bounds={"min": args.min, "above": args.above, "max": args.max,
                                  "below": args.below}, average=args.average,
                          partly=args.partly)
    plan, ident = plan_measure(repo, args.goal, args.name, unit=args.unit,
                               direction=args.direction, kpi=args.kpi, rule=rule,
                               interval=args.interval)
    _write(plan, args.dry_run, _("added measure {id}").format(id=ident))


def rollover(args: Namespace) -> None:
    from malpl.lifecycle.rollover import rollover as roll

    result = roll(load_valid(args.root), args.year, args.end or [])
    ended, continuing, overdue = len(result.ended), len(result.continuing), len(result.overdue)
    _write(result.plan, args.dry_run, ngettext(
        "marked {n} goal ended {year}", "marked {n} goals ended {year}", ended).format(
            n=ended, year=args.year - 1))
    echo(ngettext("{n} goal continues into {year}", "{n} goals continue into {year}",
                  continuing).format(n=continuing, year=args.year) + "\n"
         + _("add the budget's new goals with 'malpl new goal'"))
    if result.overdue:
        echo(ngettext("{n} target whose deadline (`by`) has passed continues too: {ids}",
                      "{n} targets whose deadline (`by`) has passed continue too: {ids}",
                      overdue).format(n=overdue, ids=", ".join(result.overdue)) + "\n"
             + _("give them a new `by:`, or end their goals with --end"), err=True)
