"""``malpl kolada search`` and ``pull``: Kolada's key figures (the only network access)."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

from malpl.commands.common import fail, load_valid
from malpl.i18n import _, ngettext
from malpl.output import echo
from malpl.swedish import number

if TYPE_CHECKING:
    from malpl.kolada.pull import PullResult

# Kolada's terms ask every use of its figures to name it, in these words, in any language.
SOURCE = "(Källa: Kolada)"


def search(args: Namespace) -> None:
    from malpl.kolada.client import Client
    from malpl.repository import read_config

    with Client.configured(read_config(args.root).kolada) as client:
        found = client.search(args.text)
    for kpi in sorted(found, key=lambda k: str(k.get("id"))):
        gender = "  " + _("(by gender: women and men)") if kpi.get("is_divided_by_gender") else ""
        echo(f"{kpi.get('id')}  {kpi.get('title')}{gender}")
        if kpi.get("description"):
            echo(f"    {' '.join(str(kpi['description']).split())}")
    echo(ngettext("{n} KPI found", "{n} KPIs found", len(found)).format(n=number(len(found)))
         + f" {SOURCE}", err=True)


def pull(args: Namespace) -> None:
    import datetime as dt

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from malpl.kolada.pull import pull as pull_figures
    from malpl.terminal import SafeConsole

    if args.since is not None:
        try:
            dt.date.fromisoformat(args.since)
        except ValueError:
            fail(_("'{date}' is not a date").format(date=args.since),
                 _("write --since as 2025-01-31"), code=2)
    repo = load_valid(args.root)
    # Rich fills in {task.completed} as it draws.
    progress_text = _("Kolada: {n} requests").format(n="{task.completed}")
    columns = (SpinnerColumn(), TextColumn(progress_text))
    console = SafeConsole(stderr=True, highlight=False, markup=False)
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as progress:  # no line left in a pipe
        task = progress.add_task("pull", total=None)
        result = pull_figures(repo, measure=args.measure, bodies=args.body, since=args.since,
                              dry_run=args.dry_run, on_request=lambda: progress.advance(task))
    for kpi, path, _written in result.files:
        if kpi in result.new_files:
            count = result.values.get(kpi, 0)
            echo(ngettext("{kpi}: new file {path}, {n} value", "{kpi}: new file {path}, {n} values",
                          count).format(kpi=kpi, path=path.relative_to(repo.root).as_posix(),
                                        n=number(count)))
    for change in result.changes:
        echo(change.line())
    for kpi in result.unknown_kpis:
        echo(_("warning: Kolada does not know the KPI {kpi}").format(kpi=kpi), err=True)
    for ident in result.unknown_ids:
        echo(_("warning: Kolada does not know the id {id}").format(id=ident), err=True)
    for line in summary(result, args.dry_run):
        echo(line)


def summary(result: PullResult, dry_run: bool) -> list[str]:
    """What was fetched, then what became of the files: new, changed or unchanged, and how
    many figures changed in the files there were (a new file's figures are all new)."""
    if not result.files:
        return [_("no measure has `source: kolada` and a `kpi`: nothing to pull")]
    values = sum(result.values.values())
    fetched = (ngettext("fetched {n} KPI", "fetched {n} KPIs", len(result.files))
               .format(n=number(len(result.files))) + ", "
               + ngettext("{n} value", "{n} values", values).format(n=number(values)))
    new, changed = len(result.new_files), len(result.changed_files)
    unchanged = len(result.unchanged_files)
    files = [text.format(n=number(n)) for n, text in (
        (new, ngettext("{n} new file", "{n} new files", new)),
        (changed, ngettext("{n} changed file", "{n} changed files", changed))) if n]
    if files:
        wrote = (_("would write {files}") if dry_run else _("wrote {files}")).format(
            files=", ".join(files))
    else:
        wrote = _("would write no file") if dry_run else _("wrote no file")
    if unchanged:
        wrote += "; " + ngettext("{n} file unchanged", "{n} files unchanged",
                                 unchanged).format(n=number(unchanged))
    if changed:
        figures = len(result.changes)
        wrote += "; " + ngettext("{n} figure changed", "{n} figures changed",
                                 figures).format(n=number(figures))
    return [f"{fetched} {SOURCE}", wrote]
