"""`diff`, `log`, `textconv` and the report's date in Swedish (the default) and in English:
golden outputs in both, numbers the Swedish way, a change of assessment that reads right
whatever the scale's symbols are."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from malpl.dating import report_date
from malpl.periods import Period
from malpl.repository import load_at
from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.test_dating import commit, git
from tests.test_diff import edit

GOLDEN = Path(__file__).parent / "golden"
ARROWS = """\
scale:
  - {key: battre, label: Förbättrad, color: "#2e7d32", symbol: "↗"}
  - {key: oforandrad, label: Oförändrad, color: "#c77700", symbol: "→"}
  - {key: samre, label: Försämrad, color: "#c62828", symbol: "↘"}
"""


def run(root: Path, lang: str, *args: str) -> str:
    result = invoke(["-C", str(root), *args], env={"MALPL_LANG": lang})
    assert result.exit_code == 0, result.output
    return result.stdout


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def year(tmp_path: Path) -> Path:
    """Two commits of a year's work: a rewritten target, assessments up and down, a new
    follow-up, a measure's values with decimals and thousands, a goal removed."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "2023-01-16", "Mål för 2023")
    one, two = root / "goals" / "1.1.yaml", root / "goals" / "1.2.yaml"
    edit(one, "Tryggheten i skolan ska öka.", "Tryggheten i skolan ska öka tydligt.")
    edit(one, "assessment: ej_uppfyllt\n        forecast: ej_uppfyllt",
         "assessment: delvis_uppfyllt\n        forecast: ej_uppfyllt")
    edit(one, "      2022: 79.2\n", "      2022: 79.25\n      2023: 80.5\n")
    edit(two, "      2022: 4800\n", "      2022: 4800\n      2023: 5250.5\n")
    edit(two, "        comment: En ny aktivitet, e-sport, har startat.\n",
         "        comment: En ny aktivitet, e-sport, har startat.\n"
         "      T2-2023:\n        assessment: ej_uppfyllt\n        value: 0.95\n"
         "        comment: Budgeten räcker inte.\n")
    commit(root, "2023-09-14", "Uppföljning T2")
    (root / "goals" / "1.1.yaml").unlink()
    commit(root, "2023-12-01", "Mål 1.1 utgår")
    return root


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_diff_golden_text_and_markdown(year: Path, lang: str) -> None:
    golden(f"diff-{lang}.txt", run(year, lang, "diff", "HEAD~2..HEAD~1"))
    golden(f"diff-{lang}.md", run(year, lang, "diff", "HEAD~2..HEAD~1", "-f", "md"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_log_golden(year: Path, lang: str) -> None:
    golden(f"log-{lang}.txt", run(year, lang, "log", "1.2") + run(year, lang, "log", "1.1"))


def test_swedish_is_the_default_and_says_each_part_in_swedish(year: Path) -> None:
    result = invoke(["-C", str(year), "diff", "HEAD~2..HEAD~1"], env={"MALPL_LANG": ""})
    out = result.stdout
    assert ("delmål 1.1.1 T2-2023 bedömning: från Ej uppfyllt (■) till Delvis uppfyllt (▲), "
            "bättre") in out
    assert "delmål 1.2.1 T2-2023: ny uppföljning: Budgeten räcker inte." in out
    assert "mått 1.2.m1 2023 värde: (saknas) → 5\u00a0250,5" in out
    md = invoke(["-C", str(year), "diff", "HEAD~1..HEAD", "-f", "md"],
                env={"MALPL_LANG": ""}).stdout
    assert md.startswith("## Ändringar i målen HEAD\\~1..HEAD\n\n### Mål (1)\n")
    assert "- mål 1.1 har tagits bort: Fler elever ska bli behöriga till gymnasiet" in md
    same = invoke(["-C", str(year), "diff", "HEAD"], env={"MALPL_LANG": ""}).stdout
    assert same == "Inga ändringar i målen.\n"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_log_writes_numbers_with_a_decimal_comma(year: Path, lang: str) -> None:
    """Finding: `log` printed 0.95 where every other output prints 0,95."""
    out = run(year, lang, "log", "1.2.1")
    assert "T2-2023 " + ("värde" if lang == "sv" else "value") + ": " in out
    assert "0,95" in out and "0.95" not in out
    assert "79,25" in run(year, lang, "diff", "HEAD~2..HEAD~1")


def test_log_dates_are_swedish_dates(year: Path) -> None:
    assert "14 september 2023 Anna Controller: Uppföljning T2" in run(year, "sv", "log", "1.2")
    assert "2023-09-14 Anna Controller: Uppföljning T2" in run(year, "en", "log", "1.2")


@pytest.mark.parametrize(("lang", "line"), [
    ("sv", "delmål 1.2.1 T1-2023 bedömning: från Oförändrad (→) till Försämrad (↘), sämre"),
    ("en", "target 1.2.1 T1-2023 assessment: from Oförändrad (→) to Försämrad (↘), worse")])
def test_a_scale_of_arrows_cannot_be_read_as_the_change(tmp_path: Path, lang: str,
                                                        line: str) -> None:
    """Finding: "→ Oförändrad → ↘ Försämrad" does not say which arrow is the change."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", root)
    with (root / "malpl.yaml").open("a", encoding="utf-8") as config:
        config.write(ARROWS)
    two = root / "goals" / "1.2.yaml"
    edit(two, "        value: 1\n", "        value: 1\n        assessment: oforandrad\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2023-05-02", "T1")
    edit(two, "assessment: oforandrad", "assessment: samre")
    assert run(root, lang, "diff").splitlines() == [line]


def test_textconv_in_swedish_shows_every_digit(year: Path) -> None:
    """Finding: textconv rounded 0,951 and 0,952 alike, so git diff showed no change."""
    git(year, "checkout", "-q", "HEAD~1")
    two = year / "goals" / "1.2.yaml"
    (year / ".gitattributes").write_text("goals/*.yaml diff=malpl\n")
    git(year, "config", "diff.malpl.textconv", f"{sys.executable} -m malpl textconv")
    edit(two, "value: 0.95", "value: 0.951")
    git(year, "commit", "-q", "-am", "0,951")
    edit(two, "value: 0.951", "value: 0.952")
    env = {**os.environ, "MALPL_LANG": "sv"}
    out = subprocess.run(["git", "diff"], cwd=year, env=env, check=True, capture_output=True,
                         text=True).stdout
    assert "-  T2-2023: ■ Ej uppfyllt, värde 0,951, utkast" in out
    assert "+  T2-2023: ■ Ej uppfyllt, värde 0,952, utkast" in out
    shown = run(year, "sv", "textconv", str(two))
    assert "Delmål 1.2.1: Minst tre nya aktiviteter" in shown
    assert "  målvärde: minst 3\u00a0st senast 2023" in shown
    assert "  2021: 5\u00a0200\n  2022: 4\u00a0800\n  2023: 5\u00a0250,5\n" in shown
    english = run(year, "en", "textconv", str(two))
    assert "  T2-2023: ■ Ej uppfyllt, value 0,952, draft" in english


def test_the_reports_date_is_explained_in_swedish(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside git the date is today's, said so in Swedish; the report command tells
    today from a reproducible date by the reason's flag, not by its English words."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", root)
    monkeypatch.setenv("MALPL_LANG", "sv")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    day, why = report_date(root, load_at(root), Period(2023, 1, "T"), None)
    assert day == dt.date.today() and why.today
    assert why.startswith("dagens datum (blir inte detsamma nästa gång: mappen ligger inte i "
                          "ett git-repositorium; skriv datumet under periods.dates.T1-2023")
    given = report_date(root, load_at(root), Period(2023, 1, "T"), dt.date(2023, 5, 15))
    assert given[1] == "angivet med --date" and not given[1].today
    result = invoke(["-C", str(root), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 0
    assert "blir inte detsamma nästa gång" in result.stderr


def test_git_errors_in_swedish_name_the_real_cause(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a git repository `--at` says so in Swedish, not that the revision is unknown
    (the cause was told from the message's English words)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", root)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = invoke(["-C", str(root), "status", "--at", "HEAD"], env={"MALPL_LANG": "sv"})
    assert result.exit_code == 1
    assert "ligger inte i ett git-repositorium" in result.stderr
    assert "är ingen version" not in result.stderr
    result = invoke(["-C", str(root), "diff"], env={"MALPL_LANG": "sv"})
    assert "ligger inte i ett git-repositorium" in result.stderr
    assert "kör malpl i det git-repositorium som har mappen goals/" in result.stderr


def test_log_and_its_errors_in_swedish(year: Path) -> None:
    result = invoke(["-C", str(year), "log", "7.7"], env={"MALPL_LANG": "sv"})
    assert result.exit_code == 1
    assert "historiken har inget mål eller delmål med id '7.7'" in result.stderr
    assert "ett måls id ser ut som 1.1" in result.stderr
    unknown = invoke(["-C", str(year), "diff", "finnsinte"], env={"MALPL_LANG": "sv"})
    assert "'finnsinte' är ingen version i det här repositoriet" in unknown.stderr


def test_git_speaks_english_to_malpl_whatever_the_locale(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """malpl tells git's errors apart by git's English words and says them itself."""
    from malpl import git

    monkeypatch.setenv("LC_ALL", "sv_SE.UTF-8")
    monkeypatch.setenv("LANGUAGE", "sv")
    env = git._environment()
    assert "LC_ALL" not in env and env["LC_MESSAGES"] == "C" and env["LANGUAGE"] == "C"
    assert env["LC_CTYPE"] == "sv_SE.UTF-8"
    with pytest.raises(git.NotARepository):
        git.prefix(tmp_path)
