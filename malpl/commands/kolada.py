"""``malpl kolada search`` and ``pull``: Kolada's key figures (the only network access)."""

from __future__ import annotations

from argparse import Namespace

from malpl.commands.common import fail, load_valid, plural
from malpl.output import echo


def search(args: Namespace) -> None:
    from malpl.kolada.client import Client
    from malpl.repository import read_config

    with Client.configured(read_config(args.root).kolada) as client:
        found = client.search(args.text)
    for kpi in sorted(found, key=lambda k: str(k.get("id"))):
        gender = "  (kön: kvinnor och män)" if kpi.get("is_divided_by_gender") else ""
        echo(f"{kpi.get('id')}  {kpi.get('title')}{gender}")
        if kpi.get("description"):
            echo(f"    {' '.join(str(kpi['description']).split())}")
    echo(f"{plural(len(found), 'KPI')} found (Källa: Kolada)", err=True)


def pull(args: Namespace) -> None:
    import datetime as dt

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from malpl.kolada.pull import pull as pull_figures
    from malpl.terminal import SafeConsole

    if args.since is not None:
        try:
            dt.date.fromisoformat(args.since)
        except ValueError:
            fail(f"'{args.since}' is not a date", "write --since as 2025-01-31", code=2)
    repo = load_valid(args.root)
    columns = (SpinnerColumn(), TextColumn("Kolada: {task.completed} requests"))
    console = SafeConsole(stderr=True, highlight=False, markup=False)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("pull", total=None)
        result = pull_figures(repo, measure=args.measure, bodies=args.body, since=args.since,
                              dry_run=args.dry_run, on_request=lambda: progress.advance(task))
    for kpi in result.new_files:
        echo(f"{kpi}: new file data/kolada/{kpi}.yaml")
    for change in result.changes:
        echo(change.line())
    for kpi in result.unknown_kpis:
        echo(f"warning: Kolada does not know the KPI {kpi}", err=True)
    for ident in result.unknown_ids:
        echo(f"warning: Kolada does not know the id {ident}", err=True)
    written = sum(1 for _, _, w in result.files if w)
    verb = "would write" if args.dry_run else "wrote"
    echo(f"{verb} {plural(written, 'file')} of {len(result.files)}; "
         f"{plural(len(result.changes), 'figure')} changed (Källa: Kolada)")
