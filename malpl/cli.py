"""The command line: parse arguments, call one library function, print the result.

Heavy modules are imported inside the commands so that ``malpl --help`` and
``malpl check`` start quickly.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from malpl.output import echo, write

if TYPE_CHECKING:
    from malpl.repository import Repository


class MalplGroup(TyperGroup):
    """Catches failures once: environment errors get a message, bugs no traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:
            from malpl.output import discard_stdout

            discard_stdout()
            raise typer.Exit(1) from None
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            from malpl.repository import MalplError

            if isinstance(err, MalplError):
                fail(str(err), err.hint)
            if isinstance(err, OSError):
                fail(_os_message(err), "check that the path exists, that you may read and write "
                     "there, and that the disk has room")
            fail(f"internal error: {type(err).__name__}: {err}",
                 "this is a bug in malpl; run again with --debug and report the traceback")


def _os_message(err: OSError) -> str:
    """'File name too long: reports/…', without Python's errno numbers."""
    reason = err.strerror or type(err).__name__
    names = [str(n) for n in (err.filename, err.filename2) if n is not None]
    return f"{reason}: {' -> '.join(names)}" if names else reason


app = typer.Typer(
    cls=MalplGroup,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Goals-as-code for Swedish municipalities: check, follow up and report goals.",
)


@dataclass
class Options:
    root: Path
    debug: bool


def fail(message: str, hint: str = "", code: int = 1) -> NoReturn:
    echo(f"error: {message}", err=True)
    if hint:
        echo(f"    hint: {hint}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from malpl import __version__

        echo(f"malpl {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    root: Path = typer.Option(Path("."), "--root", "-C", help="The goals repository.",
                              file_okay=False, exists=True),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on failure."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                 help="Print malpl's version and exit."),
) -> None:
    ctx.obj = Options(root=root, debug=debug)


def _options(ctx: typer.Context) -> Options:
    return ctx.find_object(Options) or Options(Path("."), False)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"


@app.command()
def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: all).",
                                       exists=True),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
) -> None:
    """Check that the goal files and malpl.yaml are valid."""
    from malpl.checks import check as run_check
    from malpl.problems import format_text, to_json

    result = run_check(_options(ctx).root, paths or ())
    if format is CheckFormat.json:
        echo(to_json(result.problems, result.summary()))
    elif format is CheckFormat.gitlab:
        from malpl.lifecycle.ci import gitlab_json

        echo(gitlab_json(result.problems))
    else:
        lines = (_github(result.problems) if format is CheckFormat.github
                 else [format_text(p) for p in result.problems])
        for line in lines:
            echo(line)
        s = result.summary()
        verdict = "FAILED" if result.failed(strict=strict) else "ok"
        echo(
            f"{verdict}: {s['files']} files, {s['goals']} goals, {s['targets']} targets, "
            f"{s['measures']} measures; {_plural(s['errors'], 'error')}, "
            f"{_plural(s['warnings'], 'warning')}",
            err=format is CheckFormat.github)
    raise typer.Exit(1 if result.failed(strict=strict) else 0)


def _github(problems: list[Any]) -> list[str]:
    """Annotations up to GitHub's limits; the rest into the job summary when there is one,
    else as plain lines in the log."""
    from malpl.lifecycle.ci import github_annotations, summary_markdown
    from malpl.problems import format_text

    shown, rest = github_annotations(problems)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if rest and summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(rest))
        return [*shown, f"{len(rest)} more problems are listed in the job summary"]
    return shown + [format_text(p) for p in rest]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class SchemaKind(str, Enum):
    goal = "goal"
    config = "config"


@app.command()
def schema(
    kind: SchemaKind = typer.Argument(SchemaKind.goal, help="goal (a goal file) or config."),
) -> None:
    """Print the JSON Schema of goal files or of malpl.yaml (for editors)."""
    from malpl.schema import json_schema_text

    write(json_schema_text(kind.value))


def _completion_repo(ctx: typer.Context) -> Repository | None:
    """The repository for shell completion, or None: completing must never fail loudly."""
    from malpl.repository import load_repository

    root = ctx.find_root().params.get("root") or Path(".")
    try:
        return load_repository(Path(root))
    except Exception:
        return None


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    repo = _completion_repo(ctx)
    ids = [i for g in (repo.goals if repo else []) for i in [g.id, *(t.id for t in g.targets)]]
    return [i for i in ids if i.startswith(incomplete)]


def complete_periods(ctx: typer.Context, incomplete: str) -> list[str]:
    from malpl.views import periods_with_followups

    repo = _completion_repo(ctx)
    known = [str(p) for p in periods_with_followups(repo)] if repo else []
    return [p for p in reversed(known) if p.startswith(incomplete)]


def complete_bodies(ctx: typer.Context, incomplete: str) -> list[str]:
    repo = _completion_repo(ctx)
    keys = [b.key for b in repo.config.body_list()] if repo else []
    return [k for k in keys if k.startswith(incomplete)]


BODY = typer.Option(None, "--body", "-b", autocompletion=complete_bodies,
                    help="Only this body's goals (a key from 'bodies' "
                    "in malpl.yaml; repeatable).")
AT = typer.Option(None, "--at", help="Read the goals as they were at this git revision "
                  "(a tag, a branch, a commit).")


class ViewFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Loading and rendering 100 000 targets make millions of small objects and no garbage
    cycles; the collector's full passes over them made the time grow faster than the size."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _print(renderable: Any) -> None:
    from malpl.terminal import console

    with paused_gc():
        console().print(renderable)


def _json(data: Any) -> None:
    from malpl.output import json_text

    echo(json_text(data))


@app.command()
def status(
    ctx: typer.Context,
    period: str = typer.Argument(None, help="Period such as T1-2023 (default: the latest).",
                                 autocompletion=complete_periods),
    goal: str = typer.Option(None, "--goal", "-g", help="Only this goal."),
    responsible: str = typer.Option(None, "--responsible", "-r",
                                    help="Only targets whose responsible contains this."),
    assessment: str = typer.Option(None, "--assessment", "-a",
                                   help="Only this assessment (a scale key or ej_bedomd)."),
    body: list[str] = BODY,
    level: str = typer.Option(None, "--level", "-l", help="The level måluppfyllelse counts "
                              "(a level key, or 'target'; default: the most followed up)."),
    at: str = AT,
    format: ViewFormat = typer.Option(ViewFormat.table, "--format", "-f"),
) -> None:
    """How the goals stand in a period, with måluppfyllelse."""
    from malpl import views

    repo = load_valid(_options(ctx).root, at)
    view = views.status_view(repo, views.resolve_period(repo, period), goal=goal,
                             responsible=responsible, assessment=assessment, bodies=body,
                             level=level)
    if format is ViewFormat.json:
        _json(view.as_dict())
    elif format is ViewFormat.csv:
        from malpl.output import csv_text

        write(csv_text([["period", "body", "goal", "target", "kind", "text", "responsible",
                         "assessment", "forecast", "has_comment", "ready", "rollup"]] +
                       [[view.period, row.body, row.goal_id, row.id, row.kind, row.text,
                         row.responsible, row.assessment.key or "",
                         row.forecast.key if row.forecast else "", row.has_comment, row.ready,
                         row.rollup] for row in view.rows]))
    else:
        from malpl import terminal

        _print(terminal.status(view))


@app.command()
def show(
    ctx: typer.Context,
    ident: str = typer.Argument(..., metavar="ID", help="A goal (1.1) or target (1.1.1) id.",
                                autocompletion=complete_ids),
    period: str = typer.Option(None, "--period", "-p", help="Whose comment to show."),
    body: list[str] = typer.Option(None, "--body", "-b", help="List only the goals of this "
                                   "body among those that break the goal down (repeatable)."),
    at: str = AT,
    format: ViewFormat = typer.Option(ViewFormat.table, "--format", "-f"),
) -> None:
    """A goal or target in full: texts, assessment history, comment, measures, links."""
    from malpl import terminal, views

    repo = load_valid(_options(ctx).root, at)
    chosen = views.resolve_period(repo, period) if period else None
    detail = views.detail(repo, ident, chosen, bodies=body)
    if format is ViewFormat.table:
        _print(terminal.detail(detail))
        return
    def history(t: views.TargetHistory) -> dict[str, Any]:
        return {"current": t.row.as_dict(),
                "history": [{"period": p, "assessment": a.key, "forecast": f.key if f else None}
                            for p, a, f in t.history]}

    _json({"goal": detail.goal.model_dump(), "body": detail.body, "period": detail.period,
           "parents": [p.id for p in detail.parents],
           "own": history(detail.own) if detail.own else None,
           "broken_down_by": {name: [g.id for g in goals]
                              for name, goals in (detail.children or {}).items()},
           "targets": [history(t) for t in detail.targets],
           "measures": [m.as_dict() for m in detail.measures]})


@app.command()
def todo(
    ctx: typer.Context,
    period: str = typer.Argument(..., help="Period such as T1-2023.",
                                 autocompletion=complete_periods),
    fail_missing: bool = typer.Option(False, "--fail", help="Exit 1 when anything is missing."),
    body: list[str] = BODY,
    format: ViewFormat = typer.Option(ViewFormat.table, "--format", "-f"),
) -> None:
    """What is missing before the deadline, grouped by who is responsible."""
    from malpl import views

    repo = load_valid(_options(ctx).root)
    chosen = views.resolve_period(repo, period)
    groups = views.todo(repo, chosen, body)
    if format is ViewFormat.table:
        from malpl import terminal

        _print(terminal.todo(groups, views.period_label(repo.config, chosen)))
    else:
        _json({who: [{"target": i.target.id, "kind": i.target.kind, "text": i.target.text,
                      "missing": i.missing} for i in items] for who, items in groups.items()})
    if fail_missing and groups:
        raise typer.Exit(1)


@app.command()
def measures(
    ctx: typer.Context,
    goal: str = typer.Option(None, "--goal", "-g", help="Only this goal's measures."),
    period: str = typer.Option(None, "--period", "-p", help="Only what was known at the end "
                               "of this period (default: everything)."),
    body: list[str] = BODY,
    format: ViewFormat = typer.Option(ViewFormat.table, "--format", "-f"),
) -> None:
    """All measures: latest value, target, baseline, reference and trend."""
    from malpl import views

    repo = load_valid(_options(ctx).root)
    goals = ([views.find_goal(repo, goal)] if goal
             else repo.goals_of(views.chosen_bodies(repo, body)))
    chosen = views.resolve_period(repo, period) if period else None
    rows = views.measure_views(repo, goals, chosen)
    if format is ViewFormat.table:
        from malpl import terminal

        _print(terminal.measures(rows))
    else:
        _json([m.as_dict() for m in rows])


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


@app.command()
def diff(
    ctx: typer.Context,
    revisions: str = typer.Argument(None, metavar="[REV | REV..REV | REV...REV]",
                                    help="Default: HEAD against the working tree."),
    body: list[str] = BODY,
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f"),
) -> None:
    """What changed in the goals between two revisions, in goal terms."""
    from malpl import diff as diffs
    from malpl.git import BadRevision

    try:
        result = diffs.diff_revisions(_options(ctx).root, revisions, body)
    except BadRevision as err:
        fail(str(err), err.hint, code=2)
    for note in result.notes:
        echo(f"note: {note} (left out of the comparison)", err=True)
    if format is DiffFormat.json:
        _json(result.as_dict())
    elif format is DiffFormat.md:
        echo(diffs.format_markdown(result.changes, result.config, result.title))
    else:
        echo(diffs.format_text(result.changes, result.config))


@app.command()
def log(
    ctx: typer.Context,
    ident: str = typer.Argument(None, metavar="[ID]", help="A goal (1.1) or target (1.1.1) "
                                "id; without one, every goal of the --body given."),
    body: list[str] = BODY,
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f"),
) -> None:
    """The history of a goal or target, or of a body's goals, through the git history."""
    from malpl import diff as diffs
    from malpl.repository import read_config

    entries = diffs.history(_options(ctx).root, ident, body)
    if format is DiffFormat.json:
        _json([{"commit": e.commit.sha, "date": e.commit.date, "author": e.commit.author,
                "subject": e.commit.subject, "notes": e.notes,
                "changes": [c.as_dict() for c in e.changes]}
               for e in entries])
        return
    config = read_config(_options(ctx).root)
    for entry in entries:
        c = entry.commit
        echo(f"{c.sha[:10]} {c.date} {c.author}: {c.subject}")
        for note in entry.notes:
            echo(f"    note: {note}")
        for change in entry.changes:
            echo(f"    {diffs.describe(change, config)}")
    if not entries:
        echo(f"No commits changed {ident or ', '.join(body)}.")


@app.command()
def textconv(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
) -> None:
    """Print a goal file in a stable, readable form (a git diff driver)."""
    from malpl.textconv import textconv as convert

    write(convert(file, _options(ctx).root))


class ReportFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"


@app.command()
def report(
    ctx: typer.Context,
    period: str = typer.Argument(None, help="Period such as T1-2023 (default: the latest).",
                                 autocompletion=complete_periods),
    format: ReportFormat = typer.Option(ReportFormat.docx, "--format", "-f"),
    output: str = typer.Option(None, "--output", "-o",
                               help="Output file (default reports/PERIOD.EXT); '-' for stdout."),
    templates: Path = typer.Option(None, "--templates", file_okay=False, exists=True,
                                   help="Folder with template overrides."),
    reference_doc: Path = typer.Option(None, "--reference-doc", dir_okay=False, exists=True,
                                       help="Word document whose styles the DOCX uses."),
    force: bool = typer.Option(False, "--force",
                               help="Replace an existing file that is not a malpl report."),
    allow_filters: bool = typer.Option(False, "--allow-filters",
                                       help="Run the repository's own Lua filter (it runs code)."),
    body: list[str] = typer.Option(None, "--body", "-b", help="This body's report (repeatable; "
                                   "default: every body, one chapter each)."),
    level: str = typer.Option(None, "--level", "-l", help="The level måluppfyllelse counts."),
    at: str = AT,
    date: str = typer.Option(None, "--date", help="The report's date, YYYY-MM-DD (default: "
                             "periods.dates in malpl.yaml, else the last commit that changed "
                             "the period's follow-ups)."),
) -> None:
    """Write the report for a period: Markdown, DOCX (default) or HTML."""
    import datetime as dt

    from malpl import report as reports
    from malpl.dating import report_date
    from malpl.views import resolve_period

    root = _options(ctx).root
    repo = load_valid(root, at)
    chosen = resolve_period(repo, period, written=True)
    try:
        given = dt.date.fromisoformat(date) if date else None
    except ValueError:
        fail(f"'{date}' is not a date", "write it as 2024-05-20", code=2)
    day, why = report_date(root, repo, chosen, given, at=at)
    notes: list[str] = [] if not why.startswith("today") else [f"dated {day}: {why}"]
    options = {"templates": templates, "allow_filters": allow_filters, "notes": notes,
               "today": day, "bodies": body, "level": level}
    if output == "-":
        if format is ReportFormat.docx:
            fail("DOCX cannot be written to stdout", "give a file with -o, or use --format md",
                 code=2)
        text = (reports.markdown_text(repo, chosen, templates=templates, today=day,
                                      bodies=body, level=level)
                if format is ReportFormat.md else reports.html_text(repo, chosen, **options))
        write(text)
    else:
        path = reports.write_report(
            repo, chosen, format.value, reports.output_path(output) if output else None,
            reference_doc=reference_doc, force=force, **options)
        echo(f"wrote {path}")
    for note in notes:
        echo(f"note: {note}", err=True)


@app.command()
def site(
    ctx: typer.Context,
    period: str = typer.Argument(None, help="The latest period the site shows (default: the "
                                 "latest with follow-ups); every earlier one is built too."),
    output: Path = typer.Option(Path("site"), "--output", "-o", help="Folder to write "
                                "(replaced only when it holds an earlier malpl site)."),
    at: str = AT,
) -> None:
    """Write the goals as a static, accessible website (HTML, CSS, SVG; no JavaScript)."""
    from malpl.site import write_site
    from malpl.views import resolve_period

    repo = load_valid(_options(ctx).root, at)
    chosen = resolve_period(repo, period, written=True)
    count = write_site(repo, chosen, output)
    echo(f"wrote {output} ({_plural(count, 'file')}, up to {chosen})")


kolada_app = typer.Typer(cls=MalplGroup, no_args_is_help=True, rich_markup_mode=None,
                         help="Figures from Kolada: find KPI ids, pull figures into data/kolada/.")
app.add_typer(kolada_app, name="kolada")


@kolada_app.command("search")
def kolada_search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Words in the KPI's title, e.g. behöriga gymnasiet."),
) -> None:
    """Find Kolada KPIs by title: id, title, description and whether divided by gender."""
    from malpl.kolada.client import Client, base_url
    from malpl.repository import read_config

    with Client(base_url(read_config(_options(ctx).root).kolada.url)) as client:
        found = client.search(text)
    for kpi in sorted(found, key=lambda k: str(k.get("id"))):
        gender = "  (kön: kvinnor och män)" if kpi.get("is_divided_by_gender") else ""
        echo(f"{kpi.get('id')}  {kpi.get('title')}{gender}")
        if kpi.get("description"):
            echo(f"    {' '.join(str(kpi['description']).split())}")
    echo(f"{_plural(len(found), 'KPI')} found (Källa: Kolada)", err=True)


@kolada_app.command("pull")
def kolada_pull(
    ctx: typer.Context,
    measure: str = typer.Option(None, "--measure", "-m", help="Only this measure's KPI."),
    body: list[str] = BODY,
    since: str = typer.Option(None, "--since", help="Only what Kolada changed since this "
                              "date (YYYY-MM-DD)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write "
                                 "nothing."),
) -> None:
    """Fetch the figures of every Kolada measure into data/kolada/ (one file per KPI)."""
    import datetime as dt

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from malpl.kolada.pull import pull
    from malpl.terminal import SafeConsole

    if since is not None:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            fail(f"'{since}' is not a date", "write --since as 2025-01-31", code=2)
    repo = load_valid(_options(ctx).root)
    columns = (SpinnerColumn(), TextColumn("Kolada: {task.completed} requests"))
    console = SafeConsole(stderr=True, highlight=False, markup=False)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("pull", total=None)
        result = pull(repo, measure=measure, bodies=body, since=since, dry_run=dry_run,
                      on_request=lambda: progress.advance(task))
    for kpi in result.new_files:
        echo(f"{kpi}: new file data/kolada/{kpi}.yaml")
    for change in result.changes:
        echo(change.line())
    for kpi in result.unknown_kpis:
        echo(f"warning: Kolada does not know the KPI {kpi}", err=True)
    for ident in result.unknown_ids:
        echo(f"warning: Kolada does not know the id {ident}", err=True)
    written = sum(1 for _, _, w in result.files if w)
    verb = "would write" if dry_run else "wrote"
    echo(f"{verb} {_plural(written, 'file')} of {len(result.files)}; "
         f"{_plural(len(result.changes), 'figure')} changed (Källa: Kolada)")


# --- the year around the goals (malpl.lifecycle) -----------------------------------

period_app = typer.Typer(cls=MalplGroup, no_args_is_help=True, rich_markup_mode=None,
                         help="Open a follow-up period for writing; close it before the board.")
app.add_typer(period_app, name="period")
DRY_RUN = typer.Option(False, "--dry-run", "-n", help="Show the change as a diff; write nothing.")


def _period_arg(repo: Repository, text: str) -> Any:
    from malpl.periods import PeriodError, parse_period

    try:
        return parse_period(text, repo.config.periods.scheme)
    except PeriodError as err:
        fail(str(err), err.hint, code=2)


def _apply(plan: Any, dry_run: bool, done: str) -> None:
    """Print the plan as a diff, or write it; ``done`` says what was written."""
    if plan.empty:
        echo("nothing to change")
    elif dry_run:
        write(plan.diff())
    else:
        names = plan.apply()
        echo(f"{done} in {_plural(len(names), 'file')}")


@period_app.command("open")
def period_open(
    ctx: typer.Context,
    period: str = typer.Argument(..., help="The period to open, e.g. T2-2024."),
    body: list[str] = BODY,
    carry: bool = typer.Option(False, "--carry", help="Start from last period's assessment "
                               "and forecast."),
    carry_comment: bool = typer.Option(False, "--carry-comment", help="Copy last period's "
                                       "comment too (implies --carry)."),
    dry_run: bool = DRY_RUN,
) -> None:
    """Add an empty follow-up for PERIOD to every goal and target that is followed up."""
    from malpl.lifecycle.period import open_period
    from malpl.views import chosen_bodies

    repo = load_valid(_options(ctx).root)
    chosen = _period_arg(repo, period)
    opened = open_period(repo, chosen, chosen_bodies(repo, body), carry=carry or carry_comment,
                         carry_comment=carry_comment)
    _apply(opened.plan, dry_run, f"opened {chosen} in {_plural(len(opened.places), 'place')}")


@period_app.command("close")
def period_close(
    ctx: typer.Context,
    period: str = typer.Argument(..., help="The period to close, e.g. T2-2024."),
    body: list[str] = BODY,
    tag: str = typer.Option(None, "--tag", help="The tag to set (default: the period)."),
    no_tag: bool = typer.Option(False, "--no-tag", help="Only check; set no tag."),
) -> None:
    """Check that every follow-up of PERIOD is written and ready, then tag the commit."""
    from malpl import terminal
    from malpl.lifecycle.period import close_period
    from malpl.views import chosen_bodies, period_label

    repo = load_valid(_options(ctx).root)
    chosen = _period_arg(repo, period)
    closed = close_period(repo, chosen, chosen_bodies(repo, body),
                          tag=None if no_tag else (tag or str(chosen)))
    if closed.missing:
        _print(terminal.todo(closed.missing, period_label(repo.config, chosen)))
        fail(f"{chosen} is not ready: {_plural(sum(map(len, closed.missing.values())), 'place')} "
             "still missing something", "write what 'malpl todo' lists, mark it ready: true, "
             "commit, and close again")
    echo(f"{chosen} is complete" + (f"; tagged {closed.tag}" if closed.tag else ""))


@app.command()
def init(
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", file_okay=False,
                                     help="Where to start the repository (default: here)."),
    name: str = typer.Option(None, "--name", help="The municipality, e.g. 'Ånge kommun'."),
    kolada_id: str = typer.Option(None, "--kolada-id", help="Its Kolada id, e.g. 2260."),
    body: list[str] = typer.Option(None, "--body", "-b", help="A body as KEY:NAME[:KIND], "
                                   "e.g. tn:Tekniska nämnden:namnd (repeatable; default: kf "
                                   "and ks)."),
    scheme: str = typer.Option("tertial", "--scheme", help="tertial, kvartal or halvar."),
    git: bool = typer.Option(False, "--git", help="git init and a first commit."),
    dry_run: bool = DRY_RUN,
) -> None:
    """Start a goals repository that passes 'malpl check' at once; never overwrites."""
    import sys

    from malpl.lifecycle.init import BodySpec, Settings, init, plan_init

    settings = Settings(scheme=scheme)
    if name is None and sys.stdin.isatty():
        name = typer.prompt("The municipality's name", default=settings.name)
    if kolada_id is None and sys.stdin.isatty():
        kolada_id = typer.prompt("Its Kolada id (empty: none)", default="", show_default=False)
    settings.name = name or settings.name
    settings.kolada_id = kolada_id or None
    if body:
        settings.bodies = [BodySpec.parse(b) for b in body]
    if dry_run:
        _apply(plan_init(directory, settings), True, "")
        return
    names = init(directory, settings, git=git)
    echo(f"wrote {_plural(len(names), 'file')} in {directory}"
         + ("; committed them in a new git repository" if git else ""))
    if not git:
        echo('next: git init, and git config diff.malpl.textconv "malpl textconv"')


new_app = typer.Typer(cls=MalplGroup, no_args_is_help=True, rich_markup_mode=None,
                      help="Add a goal, target or measure with the next free id.")
app.add_typer(new_app, name="new")
RESPONSIBLE = typer.Option(None, "--responsible", "-r", help="Who is responsible.")
GOAL = typer.Option(..., "--goal", "-g", help="The goal it belongs to (an id).")


def _new(plan_and_id: tuple[Any, str], dry_run: bool, what: str) -> None:
    plan, ident = plan_and_id
    _apply(plan, dry_run, f"added {what} {ident}")


@new_app.command("goal")
def new_goal(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title", "-t", help="The goal's text."),
    parent: str = typer.Option(None, "--parent", "-p", help="The higher goal it serves."),
    body: str = typer.Option(None, "--body", "-b", help="Its body (default: the parent's)."),
    level: str = typer.Option(None, "--level", "-l", help="Its level (default: the one "
                              "below the parent's)."),
    ident: str = typer.Option(None, "--id", help="Its id (default: the next free one)."),
    responsible: str = RESPONSIBLE,
    dry_run: bool = DRY_RUN,
) -> None:
    """A new goal file, in the body's folder, with the next id under its parent."""
    from malpl.lifecycle.new import plan_goal

    repo = load_valid(_options(ctx).root)
    _new(plan_goal(repo, title, parent=parent, body=body, level=level, ident=ident,
                   responsible=responsible), dry_run, "goal")


@new_app.command("target")
def new_target(
    ctx: typer.Context,
    goal: str = GOAL,
    text: str = typer.Option(..., "--text", "-t", help="The target's text."),
    responsible: str = RESPONSIBLE,
    dry_run: bool = DRY_RUN,
) -> None:
    """A new target at the end of a goal's targets."""
    from malpl.lifecycle.new import plan_target

    repo = load_valid(_options(ctx).root)
    _new(plan_target(repo, goal, text, responsible=responsible), dry_run, "target")


@new_app.command("measure")
def new_measure(
    ctx: typer.Context,
    goal: str = GOAL,
    name: str = typer.Option(..., "--name", "-t", help="The measure's name."),
    unit: str = typer.Option(None, "--unit", help="Its unit, e.g. % or st."),
    direction: str = typer.Option(None, "--direction", help="higher or lower is better."),
    kpi: str = typer.Option(None, "--kpi", help="A Kolada KPI id, e.g. N15428."),
    dry_run: bool = DRY_RUN,
) -> None:
    """A new measure at the end of a goal's measures."""
    from malpl.lifecycle.new import plan_measure

    repo = load_valid(_options(ctx).root)
    _new(plan_measure(repo, goal, name, unit=unit, direction=direction, kpi=kpi), dry_run,
         "measure")


@app.command()
def rollover(
    ctx: typer.Context,
    year: int = typer.Argument(..., min=1901, max=2100, help="The new year, e.g. 2025."),
    end: list[str] = typer.Option(None, "--end", "-e", help="A goal that ends with the old "
                                  "year (repeatable)."),
    dry_run: bool = DRY_RUN,
) -> None:
    """Change the year: mark the goals that end; the others carry on with their history."""
    from malpl.lifecycle.rollover import rollover as roll

    result = roll(load_valid(_options(ctx).root), year, end or [])
    _apply(result.plan, dry_run, f"marked {_plural(len(result.ended), 'goal')} ended "
           f"{year - 1}")
    echo(f"{_plural(len(result.continuing), 'goal')} carry on into {year}; add the budget's "
         "new goals with 'malpl new goal'")


def load_valid(root: Path, at: str | None = None) -> Repository:
    """The repository (as it was at git revision ``at``), or exit 1 pointing at
    `malpl check` when it is invalid."""
    from malpl.checks import validate
    from malpl.dating import load_at
    from malpl.problems import format_text

    with paused_gc():
        repo = load_at(root, at)
        errors = [p for p in validate(repo) if p.is_error]
    if errors:
        for problem in errors[:5]:
            echo(format_text(problem), err=True)
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        fail(f"the goal files have {_plural(len(errors), 'error')}{more}",
             "run 'malpl check' to see them all, fix them, and try again")
    return repo


def main() -> None:
    # pydantic looks for plugins through package metadata on first use (~10 ms);
    # the command line uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app(prog_name="malpl")
