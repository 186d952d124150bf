"""Text from goal files never acts on the terminal, is never markup, and is safe in a spreadsheet.

The fixture ``tests/fixtures/hostile`` holds clear-screen, window-title (OSC 0),
hyperlink (OSC 8), clipboard (OSC 52), C1 CSI, a bidi override, a carriage return
and Rich markup in every field the terminal views show.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
RAW = {"\x1b": "␛", "\x9b": "<U+009B>", "\x07": "␇", "\r": "␍", "\u202e": "<U+202E>"}
MARKUP = ("[/x]", "[se bilaga 3]", "[link=file:///etc/passwd]x[/link]")
VIEWS = (("status",), ("show", "1.1"), ("todo", "T1-2023"), ("measures",))


def run(*args: str, columns: int = 400):
    result = invoke(list(args), env={"COLUMNS": str(columns)})
    assert "Traceback" not in result.output
    return result


def assert_shown_not_obeyed(output: str) -> None:
    for raw, shown in RAW.items():
        assert raw not in output, f"{raw!r} reached the terminal"
        assert shown in output, f"{shown} is not shown"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    target = tmp_path / "hostile"
    shutil.copytree(HOSTILE, target)
    return target


@pytest.mark.parametrize("args", [*VIEWS, *((*view, "-f", "json") for view in VIEWS)])
def test_terminal_control_codes_are_shown_not_obeyed(hostile: Path, args: tuple[str, ...]
                                                     ) -> None:
    result = run("-C", str(hostile), *args)
    assert result.exit_code == 0, result.output
    for raw in RAW:
        assert raw not in result.output
    if "json" not in args:
        assert_shown_not_obeyed(result.output)


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_terminal_control_codes_at_every_width(hostile: Path, columns: int) -> None:
    for args in VIEWS:
        result = run("-C", str(hostile), *args, columns=columns)
        assert result.exit_code == 0
        assert not set(RAW) & set(result.output), args


def test_terminal_control_codes_in_check_cannot_fake_an_ok_line(hostile: Path) -> None:
    (hostile / "goals" / "2.yaml").write_text(
        'id: "2"\nlevel: inriktningsmal\ntitle: Mål två\n'
        '"titel \\e]0;pwned\\a \\x9b2J \\u202e \\rok: 3 files, 0 errors": x\n',
        encoding="utf-8")
    result = run("-C", str(hostile), "check")
    assert result.exit_code == 1
    assert_shown_not_obeyed(result.output)
    assert not any(line.startswith("ok:") for line in result.output.splitlines())
    for fmt in ("json", "github"):
        output = run("-C", str(hostile), "check", "-f", fmt).output
        assert not set(RAW) & set(output), fmt


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_terminal_control_codes_in_diff_and_log(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", repo)
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=A", "-c", "user.email=a@example.org", "add", ".")
    git(repo, "-c", "user.name=A", "-c", "user.email=a@example.org", "commit", "-qm", "start")
    shutil.copy(HOSTILE / "goals" / "1.1.yaml", repo / "goals" / "1.1.yaml")
    shutil.copy(HOSTILE / "goals" / "1.yaml", repo / "goals" / "1.yaml")
    shutil.copy(HOSTILE / "malpl.yaml", repo / "malpl.yaml")
    working = run("-C", str(repo), "diff")
    assert working.exit_code == 0, working.output
    assert_shown_not_obeyed(working.output)
    git(repo, "-c", "user.name=Evil \x1b]0;x\x07", "-c", "user.email=e@example.org",
        "commit", "-qam", "Ändrat \x1b[2J\x9b31m\u202e\rok:")
    for args in (("diff", "HEAD~1..HEAD"), ("diff", "HEAD~1..HEAD", "-f", "md"),
                 ("diff", "HEAD~1..HEAD", "-f", "json"), ("log", "1.1"), ("log", "1.1", "-f", "json")):
        result = run("-C", str(repo), *args)
        assert result.exit_code == 0, (args, result.output)
        assert not set(RAW) & set(result.output), args
    assert_shown_not_obeyed(run("-C", str(repo), "log", "1.1").output)


@pytest.mark.parametrize("args, shown", [
    (("status",), MARKUP), (("show", "1.1"), (*MARKUP, "[bold]fet[/bold]")),
    (("todo", "T1-2023"), ("[/x]", "[link=file:///etc/passwd]x[/link]", "[bold]fet[/bold]")),
    (("measures",), MARKUP)])
def test_rich_markup_in_user_text_is_text(hostile: Path, args: tuple[str, ...],
                                          shown: tuple[str, ...]) -> None:
    result = run("-C", str(hostile), *args)
    assert result.exit_code == 0, result.output
    assert "MarkupError" not in result.output
    for markup in shown:
        assert markup in result.output, (markup, args)


def test_rich_markup_closing_tag_passes_check_and_status(repo: Path) -> None:
    goal = repo / "goals" / "1.2.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        "title: Fler unga ska delta i fritidsverksamhet",
        'title: "[/x] Fler unga ska delta i fritidsverksamhet"'), encoding="utf-8")
    assert run("-C", str(repo), "check").exit_code == 0
    result = run("-C", str(repo), "status")
    assert result.exit_code == 0, result.output
    assert "1.2 [/x] Fler unga" in result.output


FORMULAS = ("=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\ry")


def formula_goal(repo: Path, texts: tuple[str, ...]) -> None:
    """Goal 9, whose targets' text and responsible are each one of ``texts``."""
    targets = "".join(
        f'  - id: "9.{i}"\n    text: "{text.replace(chr(34), chr(92) + chr(34))}"\n'
        f'    responsible: "{text.replace(chr(34), chr(92) + chr(34))}"\n'
        .replace("\t", "\\t").replace("\r", "\\r")
        for i, text in enumerate(texts, 1))
    (repo / "goals" / "9.yaml").write_text(
        f'id: "9"\nlevel: utvecklingsmal\ntitle: Formler\ntargets:\n{targets}', encoding="utf-8")


def test_csv_formula_cells_get_a_leading_quote(repo: Path) -> None:
    formula_goal(repo, FORMULAS)
    result = run("-C", str(repo), "status", "T1-2023", "-f", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff")),
                                delimiter=";"))
    rows = [r for r in table if r["Goal"] == "9"]
    assert len(rows) == len(FORMULAS)
    for row, text in zip(rows, FORMULAS, strict=True):
        assert row["Text"].startswith("'") and row["Responsible"].startswith("'")
        assert row["Text"][1:2] == text[0] if text[0] not in "\t\r" else row["Text"][1:2] in "\t␍"
    plain = [r for r in table if r["Goal"] == "1.1"]
    assert plain[0]["Text"].startswith("Andelen")


def test_json_escapes_each_hidden_character_as_json_does() -> None:
    """Finding: a noncharacter beyond U+FFFF was written as ``\\u1fffe``, which a JSON reader
    takes for U+1FFF and an "e". Each is now JSON's own escape (a surrogate pair there)."""
    import json

    from malpl.output import json_text

    data = {"comment": "a\U0001fffeb\x1bc\u202ed\U0010ffff"}
    text = json_text(data)
    assert "\\ud83f\\udffe" in text and "\\u001b" in text and "\\u202e" in text
    assert text.isascii() and json.loads(text) == data
