"""A year with a new repository, as its planner sees it at 80 columns: in Swedish (the
default) and in English (MALPL_LANG=en), against golden transcripts."""

from __future__ import annotations

import io
import os
import re
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.test_lifecycle_period import GIT_ENV

GOLDEN = Path(__file__).parent / "golden"

#: The year: start, add goals, open a tertial, fail to close it, write, close it, carry
#: the assessments into the next, change the year. (Files are edited between the steps.)
STEPS = [
    ["init", "mal", "--name", "Nyby kommun", "--git"],
    ["-C", "mal", "new", "goal", "-t", "Hållbara resor.", "-b", "kf"],
    ["-C", "mal", "new", "goal", "-t", "Fler ska cykla till skolan.", "-p", "kf.1", "-p",
     "kf.2", "-b", "ks"],
    ["-C", "mal", "new", "target", "-g", "ks.1", "-t", "Fyra nya cykelvägar.", "--min", "4",
     "--unit", "st", "--by", "2026"],
    ["-C", "mal", "new", "target", "-g", "ks.1", "-t", "Fler cyklar.", "--unit", "st"],
    ["-C", "mal", "new", "goal", "-t", "Ett mål till.", "-p", "ks.1"],
    ["-C", "mal", "period", "open", "T1-2026"],
    ["-C", "mal", "period", "open", "T1-2026"],
    ["-C", "mal", "period", "close", "T1-2026"],
    "write",
    ["-C", "mal", "period", "close", "T1-2026"],
    ["-C", "mal", "period", "open", "T2-2026", "--carry"],
    ["-C", "mal", "rollover", "2027", "--end", "kf.1.2"],
    ["-C", "mal", "rollover", "2027", "--end", "kf.1.2"],
]


def write_follow_ups(root: Path) -> None:
    """Everyone writes: an assessment, a comment and ready: true everywhere, committed."""
    import subprocess

    for path in sorted((root / "goals").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"assessment:$", "assessment: delvis_uppfyllt", text, flags=re.M)
        text = re.sub(r"comment:$", "comment: Arbetet pågår.", text, flags=re.M)
        path.write_text(text.replace("ready: false", "ready: true"), encoding="utf-8")
    for args in (["add", "goals"], ["commit", "-q", "-m", "T1"]):
        subprocess.run(["git", "-C", str(root), *args], check=True)


def transcript(tmp_path: Path, lang: str) -> str:
    env = {**GIT_ENV, "MALPL_LANG": lang, "COLUMNS": "80"}
    shown = []
    for step in STEPS:
        if step == "write":
            write_follow_ups(tmp_path / "mal")
            shown.append("(everyone writes, and the files are committed)\n")
            continue
        result = invoke(step, env=env)
        shown.append(f"$ malpl {' '.join(step)}\n{result.output}[{result.exit_code}]\n")
    return "\n".join(shown)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_year_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    text = transcript(tmp_path, lang)
    path = GOLDEN / f"lifecycle-year-{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert all(len(line) <= 80 for line in text.splitlines() if not line.startswith("$")
               and "hint:" not in line and "tips:" not in line), text


def test_init_writes_its_comments_in_the_language_malpl_speaks(tmp_path: Path) -> None:
    swedish = invoke(["init", str(tmp_path / "sv")], env={"MALPL_LANG": "sv"})
    english = invoke(["init", str(tmp_path / "en")], env={"MALPL_LANG": "en"})
    assert swedish.output.startswith("skrev 11 filer i ") and "sedan: git init" in swedish.output
    assert english.output.startswith("wrote 11 files in ") and "next: git init" in english.output
    sv = (tmp_path / "sv/malpl.yaml").read_text(encoding="utf-8")
    en = (tmp_path / "en/malpl.yaml").read_text(encoding="utf-8")
    assert "# Inställningar för målrepositoriet." in sv and "# Settings of the goals" in en
    assert "# kommunens namn, som det står i rapporten" in sv
    assert "# the municipality's name, as the report shows it" in en
    for text in (sv, en):  # the report's own words are Swedish whatever malpl speaks
        assert "title: Uppföljning av mål" in text and "label: Delvis uppfyllt" in text
        assert "language: sv" in text
    goal = (tmp_path / "en/goals/ks/ks.1.yaml").read_text(encoding="utf-8")
    assert "# the goal it serves" in goal and "Ett exempelmål för Kommunstyrelsen" in goal
    for root in ("sv", "en"):
        assert invoke(["-C", str(tmp_path / root), "check"]).exit_code == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_init_asks_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from malpl.commands import year

    monkeypatch.setenv("MALPL_LANG", "sv")
    monkeypatch.setattr(sys, "stdin", _Terminal())
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda q: asked.append(q) or "")
    year.init(Namespace(name=None, kolada_id=None, scheme="tertial", body=None, dry_run=False,
                        directory=tmp_path / "mal", git=False, install_from=None,
                        hook_repo=None, hook_rev=None))
    assert asked == ["Kommunens namn [Kommunen]: ",
                     "Kommunkoden i Kolada, t.ex. 2260 (tomt: ingen): "]
