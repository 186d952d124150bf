"""The command line: an argparse parser and a dispatcher to :mod:`malpl.commands`.

Building the parser imports nothing heavy: each command names its handler as
``"module:function"`` in :mod:`malpl.commands`, imported only when that command
runs, so that ``malpl --help`` and ``malpl check`` start quickly.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from malpl import __version__, i18n

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
        hint = _usage_hint(message) or f"'{self.prog} --help' shows what it takes"
        echo(f"    hint: {hint}", err=True)
        raise SystemExit(2)


def _usage_hint(message: str) -> str:
    """A hint for the two usage errors people make most: a misspelt choice, and a value that
    starts with '-' (which argparse takes for an option)."""
    import re

    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        import difflib

        names = re.findall(r"'([^']*)'", choice[2]) or [n.strip() for n in choice[2].split(",")]
        close = difflib.get_close_matches(choice[1], names, n=1)
        return f"did you mean '{close[0]}'?" if close else ""
    option = re.search(r"argument ([^:]*/)?(--[\w-]+): expected one argument", message)
    if option:
        return f"a value that starts with '-' is written {option[2]}=VALUE"
    return ""


class _Formatter(argparse.HelpFormatter):
    """Help as ``-f, --format FORMAT``, and a group's commands listed like options."""

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", _columns() - 2)
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


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size finds it (COLUMNS, else the terminal,
    else 80), without importing shutil and its compressors into every command."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _new_parser(parent: Any, name: str, help: str, handler: str | None) -> Parser:
    """A command (``handler`` is "module:function" in malpl.commands) or, with handler None,
    a group of commands that shows its help when called alone."""
    parser: Parser = parent.add_parser(
        name, help=help, description=help, add_help=False,
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
    """A year to roll over into: its previous year, copied from, must be one too."""
    from malpl.periods import YEAR_RANGE
    from malpl.text import visible

    first, last = YEAR_RANGE[0] + 1, YEAR_RANGE[1]
    if not (text.isascii() and text.isdigit()) or not first <= int(text) <= last:
        raise argparse.ArgumentTypeError(f"'{visible(text)}' is not a year from {first} to {last}")
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


def build_parser(command: str | None = None) -> Parser:
    """The whole parser; with ``command``, every command keeps its name and help but only
    that one declares its arguments, which is all that one command line needs."""
    parser = Parser(prog="malpl", description=SUMMARY, add_help=False,
                    formatter_class=_Formatter, allow_abbrev=False,
                    epilog="'malpl COMMAND --help' shows a command's arguments; "
                    "'malpl completion bash' (or zsh, fish) prints shell completion.")
    parser.add_argument("-C", "--root", type=_folder, metavar="DIR",
                        help="The goals repository (default: here, or the nearest folder "
                        "above holding goals/ or malpl.yaml).")
    parser.add_argument("--debug", action="store_true", help="Show a traceback on failure.")
    parser.add_argument("--version", action="version", version=f"malpl {__version__}",
                        help="Print malpl's version and exit.")
    _help(parser)
    parser.set_defaults(handler=None, parser=parser)
    _add_commands(parser, COMMANDS, command)
    return parser


# A command: its one-line help, its handler ("module:function" in malpl.commands, or
# None for a group of commands) and what declares its arguments (or its commands).
Command = tuple[str, str | None, Callable[[Parser], None]]


def _add_commands(parser: Parser, commands: dict[str, Command], only: str | None = None
                  ) -> None:
    group = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (help, handler, declare) in commands.items():
        command = _new_parser(group, name, help, handler)
        if only is None or only == name:
            declare(command)


def _command_word(argv: Sequence[str]) -> str | None:
    """The command in a command line: the first word that is neither a global option nor
    the folder after -C/--root."""
    words = iter(argv)
    for word in words:
        if word in ("-C", "--root"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _check(parser: Parser) -> None:
    parser.add_argument("paths", nargs="*", type=_existing, metavar="PATH",
                        help="Files or folders (default: all).")
    _format(parser, ("text", "json", "github", "gitlab"))
    parser.add_argument("--strict", action="store_true", help="Warnings fail too.")


def _schema(parser: Parser) -> None:
    parser.add_argument("kind", nargs="?", choices=("goal", "config"), default="goal",
                        metavar="KIND", help="goal (a goal file, the default) or config.")


def _status(parser: Parser) -> None:
    _period(parser, "Period such as T1-2023 (default: the latest).")
    _completes(parser.add_argument("-g", "--goal", metavar="ID", help="Only this goal."),
               "goals")
    parser.add_argument("-r", "--responsible", metavar="TEXT",
                        help="Only targets whose responsible contains this.")
    parser.add_argument("-a", "--assessment", metavar="KEY",
                        help="Only this assessment (a scale key or ej_bedomd).")
    _body(parser)
    parser.add_argument("-l", "--level", metavar="LEVEL", help="The level måluppfyllelse "
                        "counts (a level key, or 'target'; default: the most followed up).")
    _at(parser)
    _format(parser, VIEW_FORMATS)


def _show(parser: Parser) -> None:
    _ident(parser, "A goal (1.1) or target (1.1.1) id.")
    _completes(parser.add_argument("-p", "--period", metavar="PERIOD",
                                   help="Whose comment to show."), "periods")
    _body(parser, "List only the goals of this body among those that break the goal down "
          "(repeatable).")
    _at(parser)
    _format(parser, VIEW_FORMATS)


def _todo(parser: Parser) -> None:
    _period(parser, "Period such as T1-2023.", optional=False)
    parser.add_argument("--fail", action="store_true", help="Exit 1 when anything is missing.")
    _body(parser)
    _format(parser, VIEW_FORMATS)


def _measures(parser: Parser) -> None:
    _completes(parser.add_argument("-g", "--goal", metavar="ID",
                                   help="Only this goal's measures."), "goals")
    _completes(parser.add_argument("-p", "--period", metavar="PERIOD", help="Only what was "
                                   "known at the end of this period (default: everything)."),
               "periods")
    _body(parser)
    _format(parser, VIEW_FORMATS)


def _diff(parser: Parser) -> None:
    parser.add_argument("revisions", nargs="?", metavar="REV | REV..REV | REV...REV",
                        help="Default: HEAD against the working tree.")
    _body(parser)
    _format(parser, HISTORY_FORMATS)


def _log(parser: Parser) -> None:
    _ident(parser, "A goal (1.1) or target (1.1.1) id; without one, every goal of the --body "
           "given.", optional=True)
    _body(parser)
    _format(parser, HISTORY_FORMATS)


def _textconv(parser: Parser) -> None:
    parser.add_argument("file", type=_file, metavar="FILE", help="A goal file.")


def _report(parser: Parser) -> None:
    _period(parser, "Period such as T1-2023 (default: the latest).")
    parser.add_argument("-f", "--format", choices=("docx", "md", "html"), metavar="FORMAT",
                        help="docx, md or html (default: -o's ending, or docx).")
    parser.add_argument("-o", "--output", metavar="FILE", help="Output file (default "
                        "reports/PERIOD.EXT); '-' for stdout.")
    parser.add_argument("--templates", type=_folder, metavar="DIR",
                        help="Folder with template overrides.")
    parser.add_argument("--reference-doc", type=_file, metavar="FILE",
                        help="Word document whose styles the DOCX uses.")
    parser.add_argument("--force", action="store_true",
                        help="Replace an existing file that is not a malpl report.")
    parser.add_argument("--allow-filters", action="store_true",
                        help="Run the repository's own Lua filter (it runs code).")
    _body(parser, "This body's report (repeatable; default: every body, one chapter each).")
    parser.add_argument("-l", "--level", metavar="LEVEL",
                        help="The level måluppfyllelse counts.")
    _at(parser)
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="The report's date (default: "
                        "periods.dates in malpl.yaml, else the last commit that changed the "
                        "period's follow-ups).")


def _site(parser: Parser) -> None:
    _period(parser, "The latest period the site shows (default: the latest with follow-ups); "
            "every earlier one is built too.")
    parser.add_argument("-o", "--output", type=Path, metavar="DIR",
                        help="Folder to write (default: site in the repository; replaced only "
                        "when it holds an earlier malpl site).")
    _at(parser)


def _kolada_search(parser: Parser) -> None:
    parser.add_argument("text", metavar="TEXT",
                        help="Words in the KPI's title, e.g. behöriga gymnasiet.")


def _kolada_pull(parser: Parser) -> None:
    parser.add_argument("-m", "--measure", metavar="ID", help="Only this measure's KPI.")
    _body(parser)
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="Only what Kolada changed since this date.")
    parser.add_argument("--dry-run", action="store_true",
                        help="Show what would change; write nothing.")


def _init(parser: Parser) -> None:
    parser.add_argument("directory", nargs="?", type=_not_a_file, default=Path("."),
                        metavar="DIR", help="Where to start the repository (default: here).")
    parser.add_argument("--name", metavar="NAME", help="The municipality, e.g. 'Ånge kommun'.")
    parser.add_argument("--kolada-id", metavar="ID", help="Its Kolada id, e.g. 2260.")
    parser.add_argument("-b", "--body", action="append", metavar="KEY:NAME[:KIND]",
                        help="A body, e.g. tn:Tekniska nämnden:namnd (repeatable; default: kf "
                        "and ks).")
    parser.add_argument("--scheme", default="tertial", metavar="SCHEME",
                        help="tertial (the default), kvartal or halvar.")
    parser.add_argument("--git", action="store_true", help="git init and a first commit.")
    _dry_run(parser)


def _rollover(parser: Parser) -> None:
    parser.add_argument("year", type=_year, metavar="YEAR", help="The new year, e.g. 2025.")
    _completes(parser.add_argument("-e", "--end", action="append", metavar="ID",
                                   help="A goal that ends with the old year (repeatable)."),
               "goals")
    _dry_run(parser)


def _period_open(parser: Parser) -> None:
    parser.add_argument("period", metavar="PERIOD", help="The period to open, e.g. T2-2024.")
    _body(parser)
    parser.add_argument("--carry", action="store_true",
                        help="Start from last period's assessment and forecast.")
    parser.add_argument("--carry-comment", action="store_true",
                        help="Copy last period's comment too (implies --carry).")
    _dry_run(parser)


def _period_close(parser: Parser) -> None:
    _period(parser, "The period to close, e.g. T2-2024.", optional=False)
    _body(parser)
    parser.add_argument("--tag", metavar="TAG", help="The tag to set (default: the period).")
    parser.add_argument("--no-tag", action="store_true", help="Only check; set no tag.")


def _new_goal(parser: Parser) -> None:
    parser.add_argument("-t", "--title", required=True, metavar="TEXT",
                        help="The goal's text (required).")
    _completes(parser.add_argument("-p", "--parent", action="append", metavar="ID",
                                   help="The higher goal it serves (repeatable: a goal may "
                                   "serve two)."), "goals")
    _completes(parser.add_argument("-b", "--body", metavar="KEY",
                                   help="Its body (default: the parent's)."), "bodies")
    parser.add_argument("-l", "--level", metavar="LEVEL",
                        help="Its level (default: the one below the parent's).")
    parser.add_argument("--id", dest="ident", metavar="ID",
                        help="Its id (default: the next free one).")
    _responsible(parser)
    _dry_run(parser)


def _new_target(parser: Parser) -> None:
    _goal_of(parser)
    parser.add_argument("-t", "--text", required=True, metavar="TEXT",
                        help="The target's text (required).")
    parser.add_argument("--min", metavar="NUMBER", help="Its value: at least this, e.g. 4.")
    parser.add_argument("--max", metavar="NUMBER", help="Its value: at most this, e.g. 0,9.")
    parser.add_argument("--unit", metavar="UNIT", help="The value's unit, e.g. st or %%.")
    parser.add_argument("--by", metavar="WHEN", help="By when: a year or a period, e.g. 2026.")
    _responsible(parser)
    _dry_run(parser)


def _new_measure(parser: Parser) -> None:
    _goal_of(parser)
    parser.add_argument("-t", "--name", required=True, metavar="TEXT",
                        help="The measure's name (required).")
    parser.add_argument("--unit", metavar="UNIT", help="Its unit, e.g. %% or st.")
    parser.add_argument("--direction", metavar="WHICH", help="higher or lower is better.")
    parser.add_argument("--kpi", metavar="ID", help="A Kolada KPI id, e.g. N15428.")
    _dry_run(parser)


def _responsible(parser: Parser) -> None:
    parser.add_argument("-r", "--responsible", metavar="WHO", help="Who is responsible.")


def _goal_of(parser: Parser) -> None:
    _completes(parser.add_argument("-g", "--goal", required=True, metavar="ID",
                                   help="The goal it belongs to (an id; required)."), "goals")


def _completion(parser: Parser) -> None:
    parser.description = (
        "Print the shell completion script: commands, options, goal and target ids, periods "
        "and bodies. bash: eval \"$(malpl completion bash)\" in ~/.bashrc; zsh: the same with "
        "zsh in ~/.zshrc; fish: malpl completion fish > ~/.config/fish/completions/malpl.fish")
    parser.add_argument("shell", choices=("bash", "zsh", "fish"), metavar="SHELL",
                        help="bash, zsh or fish.")


KOLADA: dict[str, Command] = {
    "search": ("Find Kolada KPIs by title: id, title, description and whether divided by "
               "gender.", "kolada:search", _kolada_search),
    "pull": ("Fetch the figures of every Kolada measure into data/kolada/ (one file per KPI).",
             "kolada:pull", _kolada_pull),
}
PERIOD: dict[str, Command] = {
    "open": ("Add an empty follow-up for PERIOD to every goal and target that is followed up.",
             "year:period_open", _period_open),
    "close": ("Check that every follow-up of PERIOD is written and ready, then tag the commit.",
              "year:period_close", _period_close),
}
NEW: dict[str, Command] = {
    "goal": ("A new goal file, in the body's folder, with the next id under its parent.",
             "year:new_goal", _new_goal),
    "target": ("A new target at the end of a goal's targets.", "year:new_target", _new_target),
    "measure": ("A new measure at the end of a goal's measures.", "year:new_measure",
                _new_measure),
}
COMMANDS: dict[str, Command] = {
    "check": ("Check that the goal files and malpl.yaml are valid.", "check:check", _check),
    "schema": ("Print the JSON Schema of goal files or of malpl.yaml (for editors).",
               "check:schema", _schema),
    "status": ("How the goals stand in a period, with måluppfyllelse.", "views:status",
               _status),
    "show": ("A goal or target in full: texts, assessment history, comment, measures, links.",
             "views:show", _show),
    "todo": ("What is missing before the deadline, grouped by who is responsible.",
             "views:todo", _todo),
    "measures": ("All measures: latest value, target, baseline, reference and trend.",
                 "views:measures", _measures),
    "diff": ("What changed in the goals between two revisions, in goal terms.",
             "history:diff", _diff),
    "log": ("The history of a goal or target, or of a body's goals, through the git history.",
            "history:log", _log),
    "textconv": ("Print a goal file in a stable, readable form (a git diff driver).",
                 "history:textconv", _textconv),
    "report": ("Write the report for a period: Markdown, DOCX (default) or HTML.",
               "report:report", _report),
    "site": ("Write the goals as a static, accessible website (HTML, CSS, SVG; no JavaScript).",
             "report:site", _site),
    "kolada": ("Figures from Kolada: find KPI ids, pull figures into data/kolada/.", None,
               lambda parser: _add_commands(parser, KOLADA)),
    "init": ("Start a goals repository that passes 'malpl check' at once; never overwrites.",
             "year:init", _init),
    "rollover": ("Change the year: mark the goals that end; the others carry on with their "
                 "history.", "year:rollover", _rollover),
    "period": ("Open a follow-up period for writing; close it before the board.", None,
               lambda parser: _add_commands(parser, PERIOD)),
    "new": ("Add a goal, target or measure with the next free id.", None,
            lambda parser: _add_commands(parser, NEW)),
    "completion": ("Print the shell completion script for bash, zsh or fish.",
                   "completion:script", _completion),
}


def _os_message(err: OSError) -> str:
    """'File name too long: reports/…', without Python's errno numbers."""
    reason = err.strerror or type(err).__name__
    names = [str(n) for n in (err.filename, err.filename2) if n is not None]
    return f"{reason}: {' -> '.join(names)}" if names else reason


def run(argv: Sequence[str]) -> int:
    """Parse ``argv``, run its command, and return the exit code. Environment errors get a
    plain message, malpl's own errors their hint, bugs no traceback unless --debug."""
    args, extra = build_parser(_command_word(argv)).parse_known_args(argv)
    if extra:
        args.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.handler is None:
        args.parser.print_help()
        return 2
    module, _sep, name = args.handler.partition(":")
    args.found_root = args.root is None  # not given: found at or above the current folder
    if args.found_root:
        from malpl.layout import find_root

        args.root = find_root(Path("."))
    try:
        handler = getattr(importlib.import_module(f"malpl.commands.{module}"), name)
        return handler(args) or 0
    except BrokenPipeError:
        from malpl.output import discard_stdout

        discard_stdout()
        return 1
    except Exception as err:
        if isinstance(err, RuntimeError) and isinstance(err.__cause__, KeyboardInterrupt):
            raise err.__cause__ from None  # Ctrl-C while a class was made, as Python wraps it
        if args.debug:
            raise
        from malpl.commands.common import fail
        from malpl.repository import MalplError, UsageError

        if isinstance(err, MalplError):
            fail(str(err), err.hint, code=2 if isinstance(err, UsageError) else 1)
        if isinstance(err, OSError) and err.errno == errno.EBADF and err.filename is None:
            fail(_os_message(err), "give malpl somewhere to write: a terminal, a file or a pipe")
        if isinstance(err, OSError):
            fail(_os_message(err), "check that the path exists, that you may read and write "
                 "there, and that the disk has room")
        fail(f"internal error: {type(err).__name__}: {err}",
             "this is a bug in malpl; run again with --debug and report the traceback")


def _root_of(words: list[str]) -> Path:
    """The repository a command line names with -C, else the one found from here (for its
    language, before the command line is parsed)."""
    for i, word in enumerate(words):
        if word in ("-C", "--root") and i + 1 < len(words):
            return Path(words[i + 1])
        if word.startswith("-C") and len(word) > 2:
            return Path(word[2:].removeprefix("="))
    from malpl.layout import find_root

    return find_root(Path("."))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run malpl with ``argv`` (default: the process's arguments) and exit with its code."""
    words = list(sys.argv[1:] if argv is None else argv)
    i18n.use(i18n.peek(_root_of(words)))
    i18n.translate_argparse()
    if words[:1] == ["__complete"]:  # hidden: what the completion scripts call
        from malpl.commands.completion import complete

        raise SystemExit(complete(build_parser(), words[1:]))
    raise SystemExit(run(words))
