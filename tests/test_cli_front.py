"""The argparse front: what it imports, how it reports usage errors, how its help reads."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from malpl.cli import build_parser
from tests.cli_runner import invoke
from tests.conftest import ROOT

HEAVY = {"rich", "jinja2", "httpx", "matplotlib", "pypandoc", "ruamel", "typer", "click",
         "markupsafe", "pydantic", "pydantic_core", "shellingham"}


def imported_after(args: list[str], cwd: Path = ROOT) -> set[str]:
    """Top-level packages a fresh interpreter holds after ``malpl ARGS``."""
    code = ("import sys\nfrom malpl.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\nprint(' '.join(sorted({m.split('.')[0] "
            "for m in sys.modules})), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return set(done.stderr.split("\n")[-2].split())


def test_help_imports_nothing_heavy() -> None:
    modules = imported_after(["--help"])
    assert not modules & (HEAVY | {"yaml", "pydantic", "msgspec", "json"})


def test_check_imports_neither_typer_nor_rich() -> None:
    """Typer 0.29 (with pydantic) would add ~150 ms and Rich ~30 ms to every `malpl check`
    (README: Why the command line is not on Typer)."""
    assert not imported_after(["check"]) & HEAVY


def every_command() -> list[list[str]]:
    found: list[list[str]] = []
    waiting: list[tuple[list[str], argparse.ArgumentParser]] = [([], build_parser())]
    while waiting:
        prefix, parser = waiting.pop(0)
        found.append(prefix)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                waiting += [([*prefix, name], sub) for name, sub in action.choices.items()]
    return found


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_help_reads_at_80_columns(command: list[str]) -> None:
    result = invoke([*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(f"usage: {' '.join(['malpl', *command])}")
    assert max(map(len, result.stdout.splitlines())) <= 80


def test_help_keeps_every_option_and_short_flag() -> None:
    text = invoke(["report", "--help"], env={"COLUMNS": "80"}).stdout
    for option in ("-f, --format FORMAT", "-o, --output FILE", "--templates DIR",
                   "--reference-doc FILE", "--force", "--allow-filters", "-b, --body KEY",
                   "-l, --level LEVEL", "--at REV", "--date YYYY-MM-DD",
                   "docx, md or html (default: -o's ending, or docx)."):
        assert option in text


def test_usage_error_is_one_line_and_a_hint() -> None:
    result = invoke(["status", "--bogus"])
    assert result.exit_code == 2
    assert result.stderr == ("error: unrecognized arguments: --bogus\n"
                             "    hint: 'malpl status --help' shows what it takes\n")


@pytest.mark.parametrize("args, message", [
    (["-C", "/nowhere/at/all", "check"], "argument -C/--root: '/nowhere/at/all' does not exist"),
    (["check", "-f", "xml"], "argument -f/--format: invalid choice: 'xml'"),
    (["rollover", "2200"], "argument YEAR: '2200' is not a year from 1901 to 2100"),
    (["rollover", "\u0662\u0660\u0662\u0664"],  # digits, but not as years are written here
     "argument YEAR: '\u0662\u0660\u0662\u0664' is not a year from 1901 to 2100"),
    (["show"], "the following arguments are required: ID"),
    (["new", "target", "-t", "Mer."], "the following arguments are required: -g/--goal"),
    (["textconv", "goals"], "argument FILE: 'goals' is a folder, not a file"),
    (["init", "malpl.yaml", "--dry-run"], "argument DIR: 'malpl.yaml' is a file, not a folder"),
])
def test_usage_errors_say_what_is_wrong(args: list[str], message: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stdout == ""


@pytest.mark.parametrize("group", [[], ["kolada"], ["period"], ["new"]])
def test_a_group_alone_shows_its_commands(group: list[str]) -> None:
    result = invoke(group)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"usage: {' '.join(['malpl', *group])}")
    assert "commands:" in result.stdout


def test_version() -> None:
    from malpl import __version__

    assert invoke(["--version"]).stdout == f"malpl {__version__}\n"


@pytest.mark.parametrize("launcher", [["-m", "malpl"], [str(ROOT / "cli.py")]])
def test_module_and_checkout_script_run(launcher: list[str], shipped: Path) -> None:
    done = subprocess.run([sys.executable, *launcher, "-C", str(shipped), "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("goals/") or done.stdout.startswith("ok: ")


def test_debug_shows_the_traceback_others_a_message(repo: Path) -> None:
    (repo / "notes.txt").write_text("a person's file\n")
    args = ["-C", str(repo), "report", "-f", "md", "-o", str(repo / "notes.txt" / "r.md")]
    plain = subprocess.run([sys.executable, "-m", "malpl", *args], capture_output=True,
                           text=True, cwd=ROOT)
    debug = subprocess.run([sys.executable, "-m", "malpl", "--debug", *args],
                           capture_output=True, text=True, cwd=ROOT)
    assert plain.returncode == 1 and plain.stderr.startswith("error: ")
    assert "Traceback" not in plain.stderr
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.parametrize(("args", "hint"), [
    (["stauts"], "did you mean 'status'?"),
    (["status", "--format", "tabel"], "did you mean 'table'?"),
    (["status", "--body", "-x"], "a value that starts with '-' is written --body=VALUE"),
    (["report", "-o", "-x.md"], "a value that starts with '-' is written --output=VALUE"),
    (["status", "--nosuch"], "'malpl status --help' shows what it takes"),
    (["log"], "give a goal or target id (such as 1.1 or 1.1.1), or --body KEY"),
])
def test_usage_errors_say_what_to_write(args: list[str], hint: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert f"hint: {hint}" in result.stderr


def test_a_subfolder_of_the_repository_finds_it(repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """As git does: run in goals/ (or deeper), malpl works on the repository above."""
    monkeypatch.chdir(repo / "goals")
    assert invoke(["check"]).exit_code == 0
    shown = invoke(["status", "T1-2023"])
    assert shown.exit_code == 0 and "Status Tertial 1 2023" in shown.output
    assert "1.1.1" in invoke(["__complete", "bash", "show", "1.1"]).output
    written = invoke(["report", "T1-2023", "-f", "md"])
    assert written.exit_code == 0 and "wrote ../reports/T1-2023.md" in written.output
    assert (repo / "reports" / "T1-2023.md").is_file()
    (repo / "goals" / "x.yaml").write_text('id: "9"\nlevel: nope\ntitle: x\n', encoding="utf-8")
    assert invoke(["check"]).output.startswith("x.yaml:2:8: error[unknown-level]")  # from here
    assert invoke(["-C", "..", "check"]).output.startswith("goals/x.yaml:2:8:")  # as -C says
    (repo / "goals" / "x.yaml").unlink()
    assert invoke(["site", "T1-2023", "--draft"]).exit_code == 0
    assert (repo / "site" / "index.html").is_file()  # in the repository, as reports/ is
    (repo / "goals" / "goals").mkdir()  # an empty goals/ inside goals/: malpl.yaml wins
    assert "3 goals" in invoke(["check"]).output
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    lost = invoke(["check"])
    assert lost.exit_code == 1 and "there is no goals/ folder in ." in lost.output
    (tmp_path / "elsewhere").rmdir()  # the folder one stands in is deleted
    gone = invoke(["check"])
    assert gone.exit_code == 1 and "Traceback" not in gone.output
