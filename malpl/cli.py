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
from malpl.i18n import N_, _

SUMMARY = N_("Goals-as-code for Swedish municipalities: check the goal files, follow up "
             "each period, write the report.")
BODY_HELP = N_("Only this body's goals (a key from 'bodies' in malpl.yaml; repeatable).")
AT_HELP = N_("Read the goals as they were at this git revision (a tag, a branch or a "
             "commit).")
VIEW_FORMATS = ("table", "json", "csv", "xlsx")
HISTORY_FORMATS = ("text", "json", "md")


class Parser(argparse.ArgumentParser):
    """A usage error is one line saying what is wrong and one hint, then exit 2.

    The hint is found where argparse still knows what went wrong (which choices, which
    option), not read back out of its message, which is said in the user's language."""

    hint = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggest_on_error = False  # Python 3.14's "maybe you meant": the hint says it

    def error(self, message: str) -> NoReturn:
        from malpl.commands.common import fail

        fail(message, self.hint or _("'{command} --help' shows what it takes").format(
            command=self.prog), code=2)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError:
            self.hint = _did_you_mean(str(value), [str(c) for c in action.choices or ()])
            raise

    def _match_argument(self, action: argparse.Action, arg_strings_pattern: str) -> int:
        try:
            return super()._match_argument(action, arg_strings_pattern)
        except argparse.ArgumentError:
            if action.option_strings and arg_strings_pattern.startswith("O"):
                # the next word starts with '-', so argparse took it for an option
                self.hint = _("a value that starts with '-' is written {option}=VALUE").format(
                    option=action.option_strings[-1])
            raise


def _did_you_mean(word: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, names, n=1)
    return _("did you mean '{name}'?").format(name=close[0]) if close else ""


class _Formatter(argparse.HelpFormatter):
    """Help as ``-f, --format FORMAT``, a group's commands listed like options, and
    examples (lines that start with two spaces) kept as they are written."""

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

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """Paragraphs wrapped; an example (``  malpl …  # what it does``) on one line, or
        with what it does on the next when the line is too long."""
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.split("\n")
            if not all(line.startswith("  ") for line in lines[1:] or ["-"]):
                paragraphs.append(super()._fill_text(paragraph, width, indent))
                continue
            out = [indent + lines[0]]
            for line in lines[1:]:
                command, sep, comment = line.partition("  # ")
                if len(line) <= width or not sep:
                    out.append(indent + line)
                else:
                    out += [indent + command.rstrip(), f"{indent}      # {comment}"]
            paragraphs.append("\n".join(out))
        return "\n\n".join(paragraphs)


def _examples(*examples: tuple[str, str]) -> str:
    """An "examples:" paragraph: each command line, and (translated) what it does."""
    width = max(len(line) for line, _what in examples) + 2
    return "\n".join([_("examples:"), *(f"  {line:<{width}} # {_(what)}"
                                         for line, what in examples)])


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
    parser._positionals.title = _("arguments")
    _help(parser)
    parser.set_defaults(handler=handler, parser=parser)
    return parser


def _help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", help=_("Show this help and exit."))


def _completes(action: argparse.Action, kind: str) -> None:
    """Shell completion offers ``kind`` (ids, goals, periods, bodies) from the repository."""
    action.completes = kind  # type: ignore[attr-defined]


def _existing(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(_("'{path}' does not exist").format(path=text))
    return path


def _folder(text: str) -> Path:
    path = _existing(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(_("'{path}' is not a folder").format(path=text))
    return path


def _file(text: str) -> Path:
    path = _existing(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(_("'{path}' is a folder, not a file").format(path=text))
    return path


def _not_a_file(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(_("'{path}' is a file, not a folder").format(path=text))
    return path


def _year(text: str) -> int:
    """A year to roll over into: its previous year, copied from, must be one too."""
    from malpl.periods import YEAR_RANGE
    from malpl.text import visible

    first, last = YEAR_RANGE[0] + 1, YEAR_RANGE[1]
    if not (text.isascii() and text.isdigit()) or not first <= int(text) <= last:
        raise argparse.ArgumentTypeError(_("'{text}' is not a year from {first} to {last}")
                                         .format(text=visible(text), first=first, last=last))
    return int(text)


def _body(parser: argparse.ArgumentParser, help: str = BODY_HELP) -> None:
    _completes(parser.add_argument("-b", "--body", action="append", metavar=_("KEY"),
                                   help=_(help)), "bodies")


def _at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="REV", help=_(AT_HELP))


def _format(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    """``-f/--format``; the first choice is the default."""
    *rest, last = choices
    parser.add_argument("-f", "--format", choices=choices, default=choices[0], metavar="FORMAT",
                        help=_("{choices} or {last} (default: {default}).").format(
                            choices=", ".join(rest), last=last, default=choices[0]))


def _spreadsheet_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar=_("FILE"),
                        help=_("Write the csv or xlsx to this file (an xlsx needs one)."))


def _dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help=_("Show the change as a diff; write nothing."))


def _period(parser: argparse.ArgumentParser, help: str, optional: bool = True) -> None:
    _completes(parser.add_argument("period", nargs="?" if optional else None, metavar="PERIOD",
                                   help=help), "periods")


def _ident(parser: argparse.ArgumentParser, help: str, optional: bool = False) -> None:
    _completes(parser.add_argument("ident", nargs="?" if optional else None, metavar="ID",
                                   help=help), "ids")


def build_parser(command: str | None = None) -> Parser:
    """The whole parser; with ``command``, every command keeps its name and help but only
    that one declares its arguments, which is all that one command line needs."""
    epilog = "\n\n".join([
        _examples(("malpl check", N_("are the goal files valid?")),
                  ("malpl todo T1-2025", N_("what is missing, by who is responsible")),
                  ("malpl status T1-2025 -b tn", N_("how one body's goals stand")),
                  ("malpl report T1-2025", N_("write the report (a Word document)")),
                  ("malpl todo --help", N_("what a command takes")),
                  ("malpl completion --help", N_("completion with the Tab key"))),
        _("Language: Swedish by default; English with MALPL_LANG=en or 'language: en' in "
          "malpl.yaml.")])
    parser = Parser(prog="malpl", description=_(SUMMARY), add_help=False,
                    formatter_class=_Formatter, allow_abbrev=False, epilog=epilog)
    parser.add_argument("-C", "--root", type=_folder, metavar=_("DIR"),
                        help=_("The goals repository (default: here, or the nearest folder "
                               "above holding goals/ or malpl.yaml)."))
    parser.add_argument("--debug", action="store_true", help=_("Show a traceback on failure."))
    parser.add_argument("--version", action="version", version=f"malpl {__version__}",
                        help=_("Print malpl's version and exit."))
    _help(parser)
    parser.set_defaults(handler=None, parser=parser)
    _add_commands(parser, COMMANDS, command)
    return parser


# A command: its one-line help, its handler ("module:function" in malpl.commands, or
# None for a group of commands) and what declares its arguments (or its commands).
Command = tuple[str, str | None, Callable[[Parser], None]]


def _add_commands(parser: Parser, commands: dict[str, Command], only: str | None = None
                  ) -> None:
    """The commands, listed first in the help: they are what a person looks for."""
    group = parser.add_subparsers(title=_("commands"), metavar=_("COMMAND"))
    parser._action_groups.insert(0, parser._action_groups.pop())
    for name, (help, handler, declare) in commands.items():
        command = _new_parser(group, name, _(help), handler)
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
    parser.add_argument("paths", nargs="*", type=_existing, metavar=_("PATH"),
                        help=_("Files or folders to check (default: all)."))
    _format(parser, ("text", "json", "github", "gitlab"))
    parser.add_argument("--strict", action="store_true",
                        help=_("Warnings fail too (exit 1)."))
    parser.epilog = _examples(("malpl check", N_("every goal file and malpl.yaml")),
                              ("malpl check goals/tn", N_("only one body's folder")))


def _schema(parser: Parser) -> None:
    parser.add_argument("kind", nargs="?", choices=("goal", "config"), default="goal",
                        metavar=_("KIND"),
                        help=_("goal (a goal file, the default) or config (malpl.yaml)."))


def _status(parser: Parser) -> None:
    _period(parser, _("Period such as T1-2023 (default: the latest)."))
    _completes(parser.add_argument("-g", "--goal", metavar="ID", help=_("Only this goal.")),
               "goals")
    parser.add_argument("-r", "--responsible", metavar="TEXT",
                        help=_("Only targets whose responsible contains this text."))
    parser.add_argument("-a", "--assessment", metavar=_("KEY"),
                        help=_("Only this assessment (a key of the scale, or ej_bedomd)."))
    _body(parser)
    parser.add_argument("-l", "--level", metavar=_("LEVEL"),
                        help=_("The level måluppfyllelse counts (a level key, or 'target'; "
                               "default: the one most followed up)."))
    _at(parser)
    _format(parser, VIEW_FORMATS)
    _spreadsheet_output(parser)
    parser.epilog = _examples(("malpl status T1-2025", N_("every goal")),
                              ("malpl status T1-2025 -b tn", N_("one body's goals")),
                              ("malpl status T1-2025 -f csv > s.csv", N_("for a spreadsheet")))


def _show(parser: Parser) -> None:
    _ident(parser, _("A goal (1.1) or target (1.1.1) id."))
    _completes(parser.add_argument("-p", "--period", metavar="PERIOD",
                                   help=_("Show the comment of this period.")), "periods")
    _body(parser, N_("List only the goals of this body among those that break the goal down "
                     "(repeatable)."))
    _at(parser)
    _format(parser, VIEW_FORMATS)
    _spreadsheet_output(parser)
    parser.epilog = _examples(("malpl show 1.1", N_("a goal, its targets and measures")),
                              ("malpl show 1.1.2 -p T1-2025", N_("a target and one comment")))


def _todo(parser: Parser) -> None:
    _period(parser, _("Period such as T1-2023."), optional=False)
    parser.add_argument("--fail", action="store_true",
                        help=_("Exit 1 when anything is missing (for CI)."))
    _body(parser)
    parser.add_argument("-r", "--responsible", metavar="TEXT",
                        help=_("Only targets whose responsible contains this text."))
    _format(parser, VIEW_FORMATS)
    _spreadsheet_output(parser)
    parser.epilog = _examples(("malpl todo T1-2025", N_("what is missing, by who is "
                                                        "responsible")),
                              ("malpl todo T1-2025 -b tn", N_("one body's goals")),
                              ("malpl todo T1-2025 -r Rektor -f xlsx -o svar.xlsx",
                               N_("a sheet to answer in, for one person")))


def _import(parser: Parser) -> None:
    parser.add_argument("file", type=_existing, metavar=_("FILE"),
                        help=_("An answered sheet made with 'malpl todo PERIOD --format xlsx'."))
    _dry_run(parser)
    parser.epilog = _examples(("malpl import svar.xlsx -n", N_("show the change")),
                              ("malpl import svar.xlsx", N_("write the answers")))


def _measures(parser: Parser) -> None:
    _completes(parser.add_argument("-g", "--goal", metavar="ID",
                                   help=_("Only this goal's measures.")), "goals")
    _completes(parser.add_argument("-p", "--period", metavar="PERIOD",
                                   help=_("Only what was known at the end of this period "
                                          "(default: everything).")), "periods")
    _body(parser)
    _format(parser, VIEW_FORMATS)
    _spreadsheet_output(parser)


def _diff(parser: Parser) -> None:
    parser.add_argument("revisions", nargs="?", metavar="REV | REV..REV | REV...REV",
                        help=_("Git revisions: a tag, a branch or a commit (default: the "
                               "last commit against the files as they are now)."))
    _body(parser)
    _format(parser, HISTORY_FORMATS)
    parser.epilog = _examples(("malpl diff", N_("what you changed since the last commit")),
                              ("malpl diff T1-2025..T2-2025", N_("between two closed "
                                                                  "periods")),
                              ("malpl diff main...HEAD -f md", N_("for a merge request")))


def _log(parser: Parser) -> None:
    _ident(parser, _("A goal (1.1) or target (1.1.1) id; without one, every goal of the "
                     "--body given."), optional=True)
    _body(parser)
    _format(parser, HISTORY_FORMATS)


def _textconv(parser: Parser) -> None:
    parser.add_argument("file", type=_file, metavar=_("FILE"), help=_("A goal file."))
    parser.epilog = _("git runs this to show changes to goal files in their own words; "
                      "docs/reviewing.md says how to set it up.")


def _report(parser: Parser) -> None:
    _period(parser, _("Period such as T1-2023 (default: the latest)."))
    parser.add_argument("-f", "--format", choices=("docx", "md", "html"), metavar="FORMAT",
                        help=_("docx, md or html (default: -o's ending, or docx)."))
    parser.add_argument("-o", "--output", metavar=_("FILE"),
                        help=_("Output file (default: reports/PERIOD.EXT); '-' for the "
                               "terminal."))
    parser.add_argument("--templates", type=_folder, metavar=_("DIR"),
                        help=_("Folder with template overrides."))
    parser.add_argument("--reference-doc", type=_file, metavar=_("FILE"),
                        help=_("Word document whose styles the DOCX uses."))
    parser.add_argument("--force", action="store_true",
                        help=_("Replace an existing file that is not a malpl report."))
    parser.add_argument("--allow-filters", action="store_true",
                        help=_("Run the repository's own Lua filter (it runs code)."))
    _body(parser, N_("This body's report (repeatable; default: every body, one chapter "
                     "each)."))
    parser.add_argument("-l", "--level", metavar=_("LEVEL"),
                        help=_("The level måluppfyllelse counts."))
    _at(parser)
    parser.add_argument("--date", metavar=_("YYYY-MM-DD"),
                        help=_("The report's date (default: periods.dates in malpl.yaml, "
                               "else the last commit that changed the period's "
                               "follow-ups)."))
    parser.epilog = _examples(("malpl report T1-2025", N_("reports/T1-2025.docx")),
                              ("malpl report T1-2025 -b tn -o tn.docx", N_("one body's "
                                                                           "report")),
                              ("malpl report T1-2025 -f html", N_("a web page")))


def _site(parser: Parser) -> None:
    _period(parser, _("The latest period the site shows (default: the latest closed one); "
                      "every earlier one is built too."))
    parser.add_argument("-o", "--output", type=Path, metavar=_("DIR"),
                        help=_("Folder to write (default: site in the repository; replaced "
                               "only when it holds an earlier malpl site)."))
    parser.add_argument("--draft", action="store_true",
                        help=_("Publish even though the accessibility statement still has "
                               "'[Fyll i: …]' to fill in, with a warning on every page."))
    _at(parser)


def _kolada_search(parser: Parser) -> None:
    parser.add_argument("text", metavar="TEXT",
                        help=_("Words in the KPI's title, e.g. behöriga gymnasiet."))


def _kolada_pull(parser: Parser) -> None:
    parser.add_argument("-m", "--measure", metavar="ID", help=_("Only this measure's KPI."))
    _body(parser)
    parser.add_argument("--since", metavar=_("YYYY-MM-DD"),
                        help=_("Only what Kolada changed since this date."))
    parser.add_argument("--dry-run", action="store_true",
                        help=_("Show what would change; write nothing."))


def _init(parser: Parser) -> None:
    parser.add_argument("directory", nargs="?", type=_not_a_file, default=Path("."),
                        metavar=_("DIR"),
                        help=_("Where to start the repository (default: here)."))
    parser.add_argument("--name", metavar=_("NAME"),
                        help=_("The municipality, e.g. 'Ånge kommun'."))
    parser.add_argument("--kolada-id", metavar="ID", help=_("Its Kolada id, e.g. 2260."))
    parser.add_argument("-b", "--body", action="append", metavar=_("KEY:NAME[:KIND]"),
                        help=_("A body, e.g. tn:Tekniska nämnden:namnd (repeatable; default: "
                               "kf and ks)."))
    parser.add_argument("--scheme", default="tertial", metavar=_("SCHEME"),
                        help=_("How the year is divided into follow-up periods: tertial (the "
                               "default), kvartal or halvar."))
    parser.add_argument("--install-from", metavar=_("SPEC"),
                        help=_("What CI installs with pip (install.from in malpl.yaml; default: "
                               "this version from the package index, e.g. malpl==0.1.0; or "
                               "git+https://…@v0.1.0, or a wheel file in the repository)."))
    parser.add_argument("--hook-repo", metavar="URL",
                        help=_("The repository the pre-commit hook installs malpl from "
                               "(default: the project's own)."))
    parser.add_argument("--hook-rev", metavar=_("TAG"),
                        help=_("Its tag for this version (default: v and this version, e.g. "
                               "v0.1.0)."))
    parser.add_argument("--git", action="store_true",
                        help=_("Make the folder a git repository with a first commit."))
    _dry_run(parser)
    parser.epilog = _examples(("malpl init kommunen --name 'Ånge kommun' --git",
                               N_("a new repository")),)


def _rollover(parser: Parser) -> None:
    parser.add_argument("year", type=_year, metavar=_("YEAR"),
                        help=_("The new year, e.g. 2025."))
    _completes(parser.add_argument("-e", "--end", action="append", metavar="ID",
                                   help=_("A goal that ends with the old year "
                                          "(repeatable).")), "goals")
    _dry_run(parser)


def _period_open(parser: Parser) -> None:
    parser.add_argument("period", metavar="PERIOD",
                        help=_("The period to open, e.g. T2-2024."))
    _body(parser)
    parser.add_argument("--carry", action="store_true",
                        help=_("Copy last period's assessment and forecast into the new "
                               "follow-ups."))
    parser.add_argument("--carry-comment", action="store_true",
                        help=_("Copy last period's comment too (implies --carry)."))
    _dry_run(parser)
    parser.epilog = _examples(("malpl period open T2-2025 -n", N_("see what would be added")),
                              ("malpl period open T2-2025", N_("add it")))


def _period_close(parser: Parser) -> None:
    _period(parser, _("The period to close, e.g. T2-2024."), optional=False)
    _body(parser)
    parser.add_argument("--tag", metavar=_("TAG"),
                        help=_("The git tag to set (default: the period)."))
    parser.add_argument("--no-tag", action="store_true", help=_("Only check; set no tag."))


def _new_goal(parser: Parser) -> None:
    parser.add_argument("-t", "--title", required=True, metavar="TEXT",
                        help=_("The goal's text (required)."))
    _completes(parser.add_argument("-p", "--parent", action="append", metavar="ID",
                                   help=_("The higher goal it serves (repeatable: a goal may "
                                          "serve two).")), "goals")
    _completes(parser.add_argument("-b", "--body", metavar=_("KEY"),
                                   help=_("Its body (default: the parent's).")), "bodies")
    parser.add_argument("-l", "--level", metavar=_("LEVEL"),
                        help=_("Its level (default: the one below the parent's)."))
    parser.add_argument("--id", dest="ident", metavar="ID",
                        help=_("Its id (default: the next free one)."))
    _responsible(parser)
    _dry_run(parser)
    parser.epilog = _examples(("malpl new goal -p 1 -b tn -t 'Fler resor med buss.'",
                               N_("a goal under goal 1")),)


def _new_target(parser: Parser) -> None:
    _goal_of(parser)
    parser.add_argument("-t", "--text", required=True, metavar="TEXT",
                        help=_("The target's text (required)."))
    parser.add_argument("--min", metavar=_("NUMBER"),
                        help=_("Its value: at least this, e.g. 4."))
    parser.add_argument("--max", metavar=_("NUMBER"),
                        help=_("Its value: at most this, e.g. 0,9."))
    parser.add_argument("--unit", metavar=_("UNIT"), help=_("The value's unit, e.g. st or %%."))
    parser.add_argument("--by", metavar=_("WHEN"),
                        help=_("By when: a year or a period, e.g. 2026."))
    _responsible(parser)
    _dry_run(parser)


def _new_measure(parser: Parser) -> None:
    _goal_of(parser)
    parser.add_argument("-t", "--name", required=True, metavar="TEXT",
                        help=_("The measure's name (required)."))
    parser.add_argument("--unit", metavar=_("UNIT"), help=_("Its unit, e.g. %% or st."))
    parser.add_argument("--direction", metavar=_("WHICH"),
                        help=_("higher or lower: which is better."))
    parser.add_argument("--kpi", metavar="ID", help=_("A Kolada KPI id, e.g. N15428."))
    rule = parser.add_argument_group(
        _("indicator"), _("With a rule the measure is an indicator: the row that is assessed, "
                          "by its rule and its value (assessed: true)."))
    for flag, words in (("--min", _("Reached at this value or more (≥).")),
                        ("--above", _("Reached above this value (>).")),
                        ("--max", _("Reached at this value or less (≤).")),
                        ("--below", _("Reached below this value (<)."))):
        rule.add_argument(flag, metavar=_("NUMBER"), help=words)
    rule.add_argument("--average", metavar=_("YEARS"),
                      help=_("Compare the average of this many last years, e.g. 3."))
    rule.add_argument("--partly", metavar=_("NUMBER"),
                      help=_("Missed by no more than this is partly reached."))
    parser.add_argument("--interval", type=int, metavar=_("YEARS"),
                        help=_("Measured every this many years, e.g. 2 for a survey every "
                               "second year."))
    _dry_run(parser)


def _responsible(parser: Parser) -> None:
    parser.add_argument("-r", "--responsible", metavar=_("WHO"),
                        help=_("Who is responsible."))


def _goal_of(parser: Parser) -> None:
    _completes(parser.add_argument("-g", "--goal", required=True, metavar="ID",
                                   help=_("The goal it belongs to (an id; required).")),
               "goals")


def _completion(parser: Parser) -> None:
    parser.description = _("Print the script that lets the shell complete malpl's commands, "
                           "options, goal and target ids, periods and bodies when you press "
                           "the Tab key.")
    parser.add_argument("shell", choices=("bash", "zsh", "fish", "powershell"),
                        metavar=_("SHELL"), help=_("bash, zsh, fish or powershell."))
    parser.epilog = "\n".join([
        _("how to install it:"),
        "  bash:        eval \"$(malpl completion bash)\"  # " + _("in ~/.bashrc"),
        "  zsh:         eval \"$(malpl completion zsh)\"   # " + _("in ~/.zshrc"),
        "  fish:        malpl completion fish > ~/.config/fish/completions/malpl.fish",
        "  PowerShell:  malpl completion powershell | Out-String | Invoke-Expression  # "
        + _("in $PROFILE")])


KOLADA: dict[str, Command] = {
    "search": (N_("Find Kolada KPIs by title: id, title, description and whether divided by "
                  "gender."), "kolada:search", _kolada_search),
    "pull": (N_("Fetch the figures of every Kolada measure into data/kolada/ (one file per "
                "KPI)."), "kolada:pull", _kolada_pull),
}
PERIOD: dict[str, Command] = {
    "open": (N_("Add an empty follow-up for PERIOD to every goal and target that is followed "
                "up."), "year:period_open", _period_open),
    "close": (N_("Check that every follow-up of PERIOD is written and ready, then tag the "
                 "commit."), "year:period_close", _period_close),
}
NEW: dict[str, Command] = {
    "goal": (N_("A new goal file, in the body's folder, with the next id under its parent."),
             "year:new_goal", _new_goal),
    "target": (N_("A new target at the end of a goal's targets."), "year:new_target",
               _new_target),
    "measure": (N_("A new measure at the end of a goal's measures."), "year:new_measure",
                _new_measure),
}
COMMANDS: dict[str, Command] = {
    "check": (N_("Check that the goal files and malpl.yaml are valid."), "check:check",
              _check),
    "schema": (N_("Print the JSON Schema of goal files or of malpl.yaml (for editors)."),
               "check:schema", _schema),
    "status": (N_("How the goals stand in a period, with måluppfyllelse."), "views:status",
               _status),
    "show": (N_("A goal or target in full: texts, assessment history, comment, measures, "
                "links."), "views:show", _show),
    "todo": (N_("What is missing before the deadline, grouped by who is responsible."),
             "views:todo", _todo),
    "import": (N_("Write the answers of a spreadsheet made with 'todo --format xlsx' into the "
                  "goal files."), "answers:import_answers", _import),
    "measures": (N_("All measures: latest value, target, baseline, reference and trend."),
                 "views:measures", _measures),
    "diff": (N_("What changed in the goals between two revisions, in goal terms."),
             "history:diff", _diff),
    "log": (N_("The history of a goal or target, or of a body's goals, through the git "
               "history."), "history:log", _log),
    "textconv": (N_("Print a goal file in a stable, readable form (for git's diff)."),
                 "history:textconv", _textconv),
    "report": (N_("Write the report for a period: DOCX (Word; the default), Markdown or "
                  "HTML."), "report:report", _report),
    "site": (N_("Write the goals as a static, accessible website (HTML, CSS, SVG; no "
                "JavaScript)."), "report:site", _site),
    "kolada": (N_("Figures from Kolada: find KPI ids, pull figures into data/kolada/."),
               None, lambda parser: _add_commands(parser, KOLADA)),
    "init": (N_("Start a goals repository that passes 'malpl check' at once; never "
                "overwrites."), "year:init", _init),
    "rollover": (N_("Change the year: mark the goals that end; the others carry on with "
                    "their history."), "year:rollover", _rollover),
    "period": (N_("Open a follow-up period for writing; close it before the board."), None,
               lambda parser: _add_commands(parser, PERIOD)),
    "new": (N_("Add a goal, target or measure with the next free id."), None,
            lambda parser: _add_commands(parser, NEW)),
    "completion": (N_("Print the script for completion with the Tab key (bash, zsh, fish, "
                      "PowerShell)."), "completion:script", _completion),
}


#: The system's reasons people meet, in the C library's words (Python gives them in
#: English whatever the language), so that they are said in the user's language.
OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"), errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"), errno.ENOSPC: N_("No space left on device"),
    errno.EISDIR: N_("Is a directory"), errno.ENOTDIR: N_("Not a directory"),
    errno.ENAMETOOLONG: N_("File name too long"), errno.EROFS: N_("Read-only file system"),
}


def _os_message(err: OSError) -> str:
    """'File name too long: reports/…', without Python's errno numbers."""
    known = OS_REASONS.get(err.errno) if err.errno is not None else None
    reason = _(known) if known else err.strerror or type(err).__name__
    names = [str(n) for n in (err.filename, err.filename2) if n is not None]
    return f"{reason}: {' -> '.join(names)}" if names else reason


def run(argv: Sequence[str]) -> int:
    """Parse ``argv``, run its command, and return the exit code. Environment errors get a
    plain message, malpl's own errors their hint, bugs no traceback unless --debug."""
    args, extra = build_parser(_command_word(argv)).parse_known_args(argv)
    if extra:
        unrecognized = "unrecognized arguments: %s"  # argparse's words, in argparse.po
        args.parser.error(_(unrecognized) % " ".join(extra))
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
            fail(_os_message(err), _("give malpl somewhere to write: a terminal, a file or a "
                                     "pipe"))
        if isinstance(err, OSError):
            fail(_os_message(err), _("check that the path exists, that you may read and "
                                     "write there, and that the disk has room"))
        fail(_("internal error: {kind}: {error}").format(kind=type(err).__name__, error=err),
             _("this is a bug in malpl; run again with --debug and report the traceback"))


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
