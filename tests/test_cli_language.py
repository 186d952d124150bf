"""The command line in Swedish and in English: help that reads well at 80 columns (golden
files of `malpl --help`, `malpl check --help` and `malpl todo --help` in both languages),
usage errors and their hints in the user's language, and argparse's own words translated."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import ROOT
from tests.test_cli_front import every_command

GOLDEN = Path(__file__).resolve().parent / "golden"
ARGPARSE_PO = ROOT / "malpl" / "locale" / "sv" / "LC_MESSAGES" / "argparse.po"


def golden(name: str, text: str) -> None:
    """``text`` is the golden file ``name`` (UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("command", [[], ["check"], ["todo"]], ids=" ".join)
def test_help_golden(command: list[str], lang: str) -> None:
    result = invoke([*command, "--help"], env={"COLUMNS": "80", "MALPL_LANG": lang})
    assert result.exit_code == 0
    golden("-".join(["help", *command, lang]) + ".txt", result.stdout)


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_swedish_help_reads_at_80_columns(command: list[str]) -> None:
    result = invoke([*command, "--help"], env={"COLUMNS": "80", "MALPL_LANG": "sv"})
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(f"användning: {' '.join(['malpl', *command])}")
    assert max(map(len, result.stdout.splitlines())) <= 80
    assert "\nflaggor:\n" in result.stdout
    # every help line of an option is Swedish: none of the English words it was written in
    assert not re.search(r"\b(the|only|default|this|which|repeatable)\b", result.stdout)


def test_examples_too_long_for_the_terminal_say_what_they_do_on_the_next_line() -> None:
    text = invoke(["completion", "--help"], env={"COLUMNS": "60"}).stdout
    assert "  PowerShell:  malpl completion powershell | Out-String | Invoke-Expression\n" \
        "      # in $PROFILE\n" in text


@pytest.mark.parametrize(("args", "error", "hint"), [
    (["stauts"], "fel: KOMMANDO: ogiltigt val: 'stauts'",
     "tips: menade du 'status'?"),
    (["status", "--format", "tabel"], "fel: -f/--format: ogiltigt val: 'tabel'",
     "tips: menade du 'table'?"),
    (["status", "--body", "-x"], "fel: -b/--body: behöver ett värde",
     "tips: ett värde som börjar med '-' skrivs --body=VÄRDE"),
    (["status", "--nosuch"], "fel: okända argument: --nosuch",
     "tips: 'malpl status --help' visar vad kommandot tar emot"),
    (["show"], "fel: du behöver ange: ID", "tips: 'malpl show --help'"),
    (["rollover", "2200"], "fel: ÅR: '2200' är inte ett år från 1901 till 2100",
     "tips: 'malpl rollover --help'"),
])
def test_usage_errors_and_hints_in_swedish(args: list[str], error: str, hint: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    result = invoke(args)
    assert result.exit_code == 2 and result.stdout == ""
    first, second = result.stderr.splitlines()
    assert first.startswith(error)
    assert second.startswith(f"    {hint}")


def test_a_missing_value_at_the_end_gets_no_hint_about_dashes() -> None:
    """`--body` with nothing after it: the value is missing, not taken for an option."""
    result = invoke(["status", "--body"])
    assert result.exit_code == 2
    assert "hint: 'malpl status --help' shows what it takes" in result.stderr


def test_an_invalid_repository_is_counted_in_swedish(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "goals").mkdir()
    for n in range(7):
        (tmp_path / "goals" / f"{n}.yaml").write_text(f'id: "{n}"\nlevel: nope\ntitle: T\n',
                                                       encoding="utf-8")
    english = invoke(["-C", str(tmp_path), "status"])
    assert "error: the goal files have 7 errors (and 2 more)" in english.stderr
    monkeypatch.setenv("MALPL_LANG", "sv")
    swedish = invoke(["-C", str(tmp_path), "status"])
    assert swedish.exit_code == 1
    assert "fel: målfilerna har 7 fel (och 2 till)" in swedish.stderr
    assert "tips: kör 'malpl check' för att se alla, rätta dem och försök igen" in swedish.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_disk_is_said_in_swedish(repo: Path) -> None:
    """The system's reason, which Python gives in English, in the user's language."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "malpl", "-C", str(repo), "status",
                               "T1-2023"], stdout=full, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "MALPL_LANG": "sv"})
    assert done.returncode == 1
    assert done.stderr == ("fel: Disken är full\n    tips: kontrollera att sökvägen finns, att "
                           "du får läsa och skriva där och att disken har plats\n")


def _argparse_messages() -> set[str]:
    """What the running Python's argparse looks up in its catalogue."""
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    found = set(re.findall(r"\b_\(\s*(['\"])(.*?)(?<!\\)\1", source, re.DOTALL))
    plurals = re.findall(r"ngettext\(\s*'(.*?)',\s*'(.*?)'", source)
    return {m.replace("\\n", "\n") for _q, m in found} | {s for pair in plurals for s in pair}


#: argparse's messages that only a programmer who builds a parser wrongly can meet.
FOR_PROGRAMMERS = re.compile(
    r"__call__|conflicting subparser|cannot merge|invalid option string|dest= is|"
    r"conflict_resolution|mutually exclusive arguments must|multiple subparser|is not "
    r"callable|'required' is an invalid|with mode %r|deprecated|cannot be both|"
    r"must not be empty|unknown action|invalid nargs|cannot be used with")


def test_every_argparse_message_a_user_can_meet_is_in_swedish() -> None:
    from babel.messages.pofile import read_po

    with ARGPARSE_PO.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.string}
    translated |= {m.id[1] for m in catalogue if not isinstance(m.id, str)}
    missing = {m for m in _argparse_messages() - translated if not FOR_PROGRAMMERS.search(m)}
    assert not missing

