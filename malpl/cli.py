"""The command line: an argparse parser and a dispatcher to :mod:`malpl.commands`.

Building the parser imports nothing heavy: each command names its handler as
``"module:function"`` in :mod:`malpl.commands`, imported only when that command
runs, so that ``malpl --help`` and ``malpl check`` start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from malpl import __version__

SUMMARY = "Goals-as-code for Swedish municipalities: check, follow up and report goals."
BODY_HELP = "Only this body's goals (a key from 'bodies' in malpl.yaml; repeatable)."
AT_HELP = "Read the goals as they were at this git revision (a tag, a branch, a commit)."
VIEW_FORMATS = ("table", "json", "csv")
HISTORY_FORMATS = ("text", "json", "md")


class Parser(argparse.ArgumentParser):
    """A usage error is one line saying what is wrong and one hint, then exit 2."""

    def error(self, message: str) -> NoReturn:
        from malpl.output import echo

        echo(f"error: {message}", err=True)
        echo(f"    hint: '{self.prog} --help' shows what it takes", err=True)
        raise SystemExit(2)


class _Formatter(argparse.HelpFormatter):
    """Help as ``-f, --format FORMAT``, and a group's commands listed like options."""

    def __init__(self, prog: str, **options: Any) -> None:
        super().__init__(prog, max_help_position=28, **options)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._get_default_metavar_for_optional(action)
        return f"{', '.join(action.option_strings)} {self._format_args(action, metavar)}"

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(a) for a in action._get_subactions())
        return super()._format_action(action)


def _new_parser(parent: Any, name: str, help: str, handler: str | None,
                description: str = "") -> Parser:
    """A command (``handler`` is "module:function" in malpl.commands) or, with handler None,
    a group of commands that shows its help when called alone."""
    parser: Parser = parent.add_parser(
        name, help=help, description=description or help, add_help=False,
        formatter_class=_Formatter, allow_abbrev=False)
    parser._positionals.title = "arguments"
    _help(parser)
    parser.set_defaults(handler=handler, parser=parser)
    return parser


def _help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", help="Show this help and exit.")


def _completes(action: argparse.Action, kind: str) -> None:
    """Shell completion offers ``kind`` (ids, goals, periods, bodies) from the repository."""
    action.completes = kind  # type: ignore[attr-defined]


def _existing(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"'{text}' does not exist")
    return path


def _folder(text: str) -> Path:
    path = _existing(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is not a folder")
    return path


def _file(text: str) -> Path:
    path = _existing(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, not a file")
    return path


def _not_a_file(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a file, not a folder")
    return path


def _year(text: str) -> int:
    if not text.isdigit() or not 1901 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year from 1901 to 2100")
    return int(text)


def _body(parser: argparse.ArgumentParser, help: str = BODY_HELP) -> None:
    _completes(parser.add_argument("-b", "--body", action="append", metavar="KEY", help=help),
               "bodies")


def _at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="REV", help=AT_HELP)


def _format(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    """``-f/--format``; the first choice is the default."""
    *rest, last = choices
    parser.add_argument("-f", "--format", choices=choices, default=choices[0], metavar="FORMAT",
                        help=f"{', '.join(rest)} or {last} (default: {choices[0]}).")


def _dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help="Show the change as a diff; write nothing.")


def _period(parser: argparse.ArgumentParser, help: str, optional: bool = True) -> None:
    _completes(parser.add_argument("period", nargs="?" if optional else None, metavar="PERIOD",
                                   help=help), "periods")


def _ident(parser: argparse.ArgumentParser, help: str, optional: bool = False) -> None:
    _completes(parser.add_argument("ident", nargs="?" if optional else None, metavar="ID",
                                   help=help), "ids")


def build_parser() -> Parser:
    parser = Parser(prog="malpl", description=SUMMARY, add_help=False,
                    formatter_class=_Formatter, allow_abbrev=False,
                    epilog="'malpl COMMAND --help' shows a command's arguments; "
                    "'malpl completion bash' (or zsh, fish) prints shell completion.")
    parser.add_argument("-C", "--root", type=_folder, default=Path("."), metavar="DIR",
                        help="The goals repository (default: here).")
    parser.add_argument("--debug", action="store_true", help="Show a traceback on failure.")
    parser.add_argument("--version", action="version", version=f"malpl {__version__}",
                        help="Print malpl's version and exit.")
    _help(parser)
    parser.set_defaults(handler=None, parser=parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _check_commands(commands)
    _view_commands(commands)
    _history_commands(commands)
    _report_commands(commands)
    _kolada_commands(commands)
    _year_commands(commands)
    shells = _new_parser(commands, "completion", "Print the shell completion script for bash, "
                         "zsh or fish.", "completion:script", description=(
                             "Print the shell completion script: commands, options, goal and "
                             "target ids, periods and bodies. bash: eval \"$(malpl completion "
                             "bash)\" in ~/.bashrc; zsh: the same with zsh in ~/.zshrc; fish: "
                             "malpl completion fish > ~/.config/fish/completions/malpl.fish"))
    shells.add_argument("shell", choices=("bash", "zsh", "fish"), metavar="SHELL",
                        help="bash, zsh or fish.")
    return parser


def _check_commands(commands: Any) -> None:
    check = _new_parser(commands, "check", "Check that the goal files and malpl.yaml are valid.",
                        "check:check")
    check.add_argument("paths", nargs="*", type=_existing, metavar="PATH",
                       help="Files or folders (default: all).")
    _format(check, ("text", "json", "github", "gitlab"))
    check.add_argument("--strict", action="store_true", help="Warnings fail too.")

    schema = _new_parser(commands, "schema", "Print the JSON Schema of goal files or of "
                         "malpl.yaml (for editors).", "check:schema")
    schema.add_argument("kind", nargs="?", choices=("goal", "config"), default="goal",
                        metavar="KIND", help="goal (a goal file, the default) or config.")


def _view_commands(commands: Any) -> None:
    status = _new_parser(commands, "status", "How the goals stand in a period, with "
                         "måluppfyllelse.", "views:status")
    _period(status, "Period such as T1-2023 (default: the latest).")
    _completes(status.add_argument("-g", "--goal", metavar="ID", help="Only this goal."),
               "goals")
    status.add_argument("-r", "--responsible", metavar="TEXT",
                        help="Only targets whose responsible contains this.")
    status.add_argument("-a", "--assessment", metavar="KEY",
                        help="Only this assessment (a scale key or ej_bedomd).")
    _body(status)
    status.add_argument("-l", "--level", metavar="LEVEL", help="The level måluppfyllelse "
                        "counts (a level key, or 'target'; default: the most followed up).")
    _at(status)
    _format(status, VIEW_FORMATS)

    show = _new_parser(commands, "show", "A goal or target in full: texts, assessment history, "
                       "comment, measures, links.", "views:show")
    _ident(show, "A goal (1.1) or target (1.1.1) id.")
    _completes(show.add_argument("-p", "--period", metavar="PERIOD",
                                 help="Whose comment to show."), "periods")
    _body(show, "List only the goals of this body among those that break the goal down "
          "(repeatable).")
    _at(show)
    _format(show, VIEW_FORMATS)

    todo = _new_parser(commands, "todo", "What is missing before the deadline, grouped by who "
                       "is responsible.", "views:todo")
    _period(todo, "Period such as T1-2023.", optional=False)
    todo.add_argument("--fail", action="store_true", help="Exit 1 when anything is missing.")
    _body(todo)
    _format(todo, VIEW_FORMATS)

    measures = _new_parser(commands, "measures", "All measures: latest value, target, baseline, "
                           "reference and trend.", "views:measures")
    _completes(measures.add_argument("-g", "--goal", metavar="ID",
                                     help="Only this goal's measures."), "goals")
    _completes(measures.add_argument("-p", "--period", metavar="PERIOD", help="Only what was "
                                     "known at the end of this period (default: everything)."),
               "periods")
    _body(measures)
    _format(measures, VIEW_FORMATS)


def _history_commands(commands: Any) -> None:
    diff = _new_parser(commands, "diff", "What changed in the goals between two revisions, in "
                       "goal terms.", "history:diff")
    diff.add_argument("revisions", nargs="?", metavar="REV | REV..REV | REV...REV",
                      help="Default: HEAD against the working tree.")
    _body(diff)
    _format(diff, HISTORY_FORMATS)

    log = _new_parser(commands, "log", "The history of a goal or target, or of a body's goals, "
                      "through the git history.", "history:log")
    _ident(log, "A goal (1.1) or target (1.1.1) id; without one, every goal of the --body "
           "given.", optional=True)
    _body(log)
    _format(log, HISTORY_FORMATS)

    textconv = _new_parser(commands, "textconv", "Print a goal file in a stable, readable form "
                           "(a git diff driver).", "history:textconv")
    textconv.add_argument("file", type=_file, metavar="FILE", help="A goal file.")


def _report_commands(commands: Any) -> None:
    report = _new_parser(commands, "report", "Write the report for a period: Markdown, DOCX "
                         "(default) or HTML.", "report:report")
    _period(report, "Period such as T1-2023 (default: the latest).")
    _format(report, ("docx", "md", "html"))
    report.add_argument("-o", "--output", metavar="FILE", help="Output file (default "
                        "reports/PERIOD.EXT); '-' for stdout.")
    report.add_argument("--templates", type=_folder, metavar="DIR",
                        help="Folder with template overrides.")
    report.add_argument("--reference-doc", type=_file, metavar="FILE",
                        help="Word document whose styles the DOCX uses.")
    report.add_argument("--force", action="store_true",
                        help="Replace an existing file that is not a malpl report.")
    report.add_argument("--allow-filters", action="store_true",
                        help="Run the repository's own Lua filter (it runs code).")
    _body(report, "This body's report (repeatable; default: every body, one chapter each).")
    report.add_argument("-l", "--level", metavar="LEVEL",
                        help="The level måluppfyllelse counts.")
    _at(report)
    report.add_argument("--date", metavar="YYYY-MM-DD", help="The report's date (default: "
                        "periods.dates in malpl.yaml, else the last commit that changed the "
                        "period's follow-ups).")

    site = _new_parser(commands, "site", "Write the goals as a static, accessible website "
                       "(HTML, CSS, SVG; no JavaScript).", "report:site")
    _period(site, "The latest period the site shows (default: the latest with follow-ups); "
            "every earlier one is built too.")
    site.add_argument("-o", "--output", type=Path, default=Path("site"), metavar="DIR",
                      help="Folder to write (default: site; replaced only when it holds an "
                      "earlier malpl site).")
    _at(site)


def _kolada_commands(commands: Any) -> None:
    kolada = _new_parser(commands, "kolada", "Figures from Kolada: find KPI ids, pull figures "
                         "into data/kolada/.", None)
    sub = kolada.add_subparsers(title="commands", metavar="COMMAND")
    search = _new_parser(sub, "search", "Find Kolada KPIs by title: id, title, description and "
                         "whether divided by gender.", "kolada:search")
    search.add_argument("text", metavar="TEXT",
                        help="Words in the KPI's title, e.g. behöriga gymnasiet.")

    pull = _new_parser(sub, "pull", "Fetch the figures of every Kolada measure into "
                       "data/kolada/ (one file per KPI).", "kolada:pull")
    pull.add_argument("-m", "--measure", metavar="ID", help="Only this measure's KPI.")
    _body(pull)
    pull.add_argument("--since", metavar="YYYY-MM-DD",
                      help="Only what Kolada changed since this date.")
    pull.add_argument("--dry-run", action="store_true",
                      help="Show what would change; write nothing.")


def _year_commands(commands: Any) -> None:
    init = _new_parser(commands, "init", "Start a goals repository that passes 'malpl check' "
                       "at once; never overwrites.", "year:init")
    init.add_argument("directory", nargs="?", type=_not_a_file, default=Path("."),
                      metavar="DIR", help="Where to start the repository (default: here).")
    init.add_argument("--name", metavar="NAME", help="The municipality, e.g. 'Ånge kommun'.")
    init.add_argument("--kolada-id", metavar="ID", help="Its Kolada id, e.g. 2260.")
    init.add_argument("-b", "--body", action="append", metavar="KEY:NAME[:KIND]",
                      help="A body, e.g. tn:Tekniska nämnden:namnd (repeatable; default: kf "
                      "and ks).")
    init.add_argument("--scheme", default="tertial", metavar="SCHEME",
                      help="tertial (the default), kvartal or halvar.")
    init.add_argument("--git", action="store_true", help="git init and a first commit.")
    _dry_run(init)

    rollover = _new_parser(commands, "rollover", "Change the year: mark the goals that end; the "
                           "others carry on with their history.", "year:rollover")
    rollover.add_argument("year", type=_year, metavar="YEAR", help="The new year, e.g. 2025.")
    _completes(rollover.add_argument("-e", "--end", action="append", metavar="ID",
                                     help="A goal that ends with the old year (repeatable)."),
               "goals")
    _dry_run(rollover)

    period = _new_parser(commands, "period", "Open a follow-up period for writing; close it "
                         "before the board.", None)
    sub = period.add_subparsers(title="commands", metavar="COMMAND")
    opening = _new_parser(sub, "open", "Add an empty follow-up for PERIOD to every goal and "
                          "target that is followed up.", "year:period_open")
    opening.add_argument("period", metavar="PERIOD", help="The period to open, e.g. T2-2024.")
    _body(opening)
    opening.add_argument("--carry", action="store_true",
                         help="Start from last period's assessment and forecast.")
    opening.add_argument("--carry-comment", action="store_true",
                         help="Copy last period's comment too (implies --carry).")
    _dry_run(opening)
    closing = _new_parser(sub, "close", "Check that every follow-up of PERIOD is written and "
                          "ready, then tag the commit.", "year:period_close")
    _period(closing, "The period to close, e.g. T2-2024.", optional=False)
    _body(closing)
    closing.add_argument("--tag", metavar="TAG", help="The tag to set (default: the period).")
    closing.add_argument("--no-tag", action="store_true", help="Only check; set no tag.")

    new = _new_parser(commands, "new", "Add a goal, target or measure with the next free id.",
                      None)
    sub = new.add_subparsers(title="commands", metavar="COMMAND")
    goal = _new_parser(sub, "goal", "A new goal file, in the body's folder, with the next id "
                       "under its parent.", "year:new_goal")
    goal.add_argument("-t", "--title", required=True, metavar="TEXT",
                      help="The goal's text (required).")
    _completes(goal.add_argument("-p", "--parent", metavar="ID",
                                 help="The higher goal it serves."), "goals")
    _completes(goal.add_argument("-b", "--body", metavar="KEY",
                                 help="Its body (default: the parent's)."), "bodies")
    goal.add_argument("-l", "--level", metavar="LEVEL",
                      help="Its level (default: the one below the parent's).")
    goal.add_argument("--id", dest="ident", metavar="ID",
                      help="Its id (default: the next free one).")
    goal.add_argument("-r", "--responsible", metavar="WHO", help="Who is responsible.")
    _dry_run(goal)
    target = _new_parser(sub, "target", "A new target at the end of a goal's targets.",
                         "year:new_target")
    _goal_of(target)
    target.add_argument("-t", "--text", required=True, metavar="TEXT",
                        help="The target's text (required).")
    target.add_argument("-r", "--responsible", metavar="WHO", help="Who is responsible.")
    _dry_run(target)
    measure = _new_parser(sub, "measure", "A new measure at the end of a goal's measures.",
                          "year:new_measure")
    _goal_of(measure)
    measure.add_argument("-t", "--name", required=True, metavar="TEXT",
                         help="The measure's name (required).")
    measure.add_argument("--unit", metavar="UNIT", help="Its unit, e.g. %% or st.")
    measure.add_argument("--direction", metavar="WHICH", help="higher or lower is better.")
    measure.add_argument("--kpi", metavar="ID", help="A Kolada KPI id, e.g. N15428.")
    _dry_run(measure)


def _goal_of(parser: argparse.ArgumentParser) -> None:
    _completes(parser.add_argument("-g", "--goal", required=True, metavar="ID",
                                   help="The goal it belongs to (an id; required)."), "goals")


def _os_message(err: OSError) -> str:
    """'File name too long: reports/…', without Python's errno numbers."""
    reason = err.strerror or type(err).__name__
    names = [str(n) for n in (err.filename, err.filename2) if n is not None]
    return f"{reason}: {' -> '.join(names)}" if names else reason


def run(argv: Sequence[str]) -> int:
    """Parse ``argv``, run its command, and return the exit code. Environment errors get a
    plain message, malpl's own errors their hint, bugs no traceback unless --debug."""
    args, extra = build_parser().parse_known_args(argv)
    if extra:
        args.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.handler is None:
        args.parser.print_help()
        return 2
    module, _, name = args.handler.partition(":")
    try:
        handler = getattr(importlib.import_module(f"malpl.commands.{module}"), name)
        return handler(args) or 0
    except BrokenPipeError:
        from malpl.output import discard_stdout

        discard_stdout()
        return 1
    except Exception as err:
        if args.debug:
            raise
        from malpl.commands.common import fail
        from malpl.repository import MalplError

        if isinstance(err, MalplError):
            fail(str(err), err.hint)
        if isinstance(err, OSError):
            fail(_os_message(err), "check that the path exists, that you may read and write "
                 "there, and that the disk has room")
        fail(f"internal error: {type(err).__name__}: {err}",
             "this is a bug in malpl; run again with --debug and report the traceback")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run malpl with ``argv`` (default: the process's arguments) and exit with its code."""
    # pydantic looks for plugins through package metadata on first use (~10 ms);
    # the command line uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["__complete"]:  # hidden: what the completion scripts call
        from malpl.commands.completion import complete

        raise SystemExit(complete(build_parser(), words[1:]))
    raise SystemExit(run(words))
