"""`malpl check` in Swedish and in English: a golden of every problem code, and the
messages that lead to the fix (a comma in { }, an indentation slip, a target as parent,
a scale step with the symbol of "not assessed")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden"


def _every_problem(tmp_path: Path) -> Path:
    """The fixture repository with every file of tests/fixtures/invalid in goals/."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", root)
    for path in sorted((FIXTURES / "invalid").glob("*.yaml")):
        shutil.copy(path, root / "goals" / path.name)
    shutil.copytree(FIXTURES / "kolada" / "store", root, dirs_exist_ok=True)
    return root


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_check_golden_of_every_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       lang: str) -> None:
    """UPDATE_GOLDEN=1 rewrites tests/golden/check-invalid-LANG.txt."""
    monkeypatch.setenv("MALPL_LANG", lang)
    result = invoke(["-C", _every_problem(tmp_path), "check"])
    assert result.exit_code == 1
    golden = GOLDEN / f"check-invalid-{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.output, encoding="utf-8")
    assert result.output == golden.read_text(encoding="utf-8")


def test_swedish_check_speaks_swedish_but_keeps_codes_and_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    out = invoke(["-C", _every_problem(tmp_path), "check"]).output
    assert "goals/missing-field.yaml:2:1: fel[missing-field]: rubriken (`title`) saknas" in out
    assert "    tips: lägg till en rad 'title: …' här" in out
    assert "varning[duplicate-measure]" in out
    assert out.splitlines()[-1].startswith("INTE GODKÄNT: ")
    assert " error" not in out and "hint:" not in out


def test_swedish_summary_of_a_valid_repository(repo: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    result = invoke(["-C", repo, "check"])
    assert result.output == "ok: 4 filer, 3 mål, 3 delmål, 3 mått; 0 fel, 0 varningar\n"


def _goal(repo: Path, text: str) -> None:
    (repo / "goals" / "9.yaml").write_text(
        'id: "9.1"\ntitle: Ett mål\nlevel: utvecklingsmal\n' + text, encoding="utf-8")


def _check(repo: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MALPL_LANG", lang)
    result = invoke(["-C", repo, "check"])
    assert result.exit_code == 1
    return result.output


DECIMAL_COMMA = ('targets:\n  - id: "9.1.1"\n    text: Delmål\n'
                 "    target: {max: 0,9, unit: kg}\n"
                 "    followups:\n"
                 "      T1-2023: {assessment: uppfyllt, comment: Ohälsotalet sjönk till 29,8 dagar.}\n")


def test_a_decimal_comma_in_braces_says_how_to_write_it(repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _goal(repo, DECIMAL_COMMA)
    out = _check(repo, "en", monkeypatch)
    assert "unknown field" not in out
    assert ("goals/9.yaml:7:21: error[yaml-syntax]: inside { } a comma ends the entry, so YAML "
            "read '9' as a key of its own, cut off from max\n"
            "    hint: write the number with a decimal point: max: 0.9") in out
    assert ("goals/9.yaml:9:74: error[yaml-syntax]: inside { } a comma ends the entry, so YAML "
            "read '8 dagar.' as a key of its own, cut off from comment\n"
            '    hint: put the text in quotes: comment: "Ohälsotalet sjönk till 29,8 dagar."'
            ) in out
    sv = _check(repo, "sv", monkeypatch)
    assert ("inom { } avslutar ett kommatecken raden, så YAML läste '9' som en egen nyckel, "
            "avskuren från `max`\n    tips: skriv talet med decimalpunkt: max: 0.9") in sv


def test_a_comma_in_a_year_key_is_one_mistake(repo: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    _goal(repo, "measures:\n  - id: m\n    name: Ett mått\n    values: {2022: 1,5}\n")
    out = _check(repo, "en", monkeypatch)
    assert out.count("error[") == 1 and "decimal point: 2022: 1.5" in out


def test_a_three_space_indent_names_its_line(repo: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    _goal(repo, 'targets:\n  - id: "9.1.1"\n    text: Delmål\n   - id: "9.1.2"\n'
                "    text: Delmål 2\n")
    out = _check(repo, "en", monkeypatch)
    assert ("goals/9.yaml:7:4: error[yaml-syntax]: this line is indented by 3 spaces, which "
            "is no level: goal files are indented two spaces a level\n"
            "    hint: indent it by 2 spaces, as line 5 on the same level") in out
    sv = _check(repo, "sv", monkeypatch)
    assert "tips: dra in den 2 blanksteg, som rad 5 på samma nivå" in sv


def test_a_comment_indented_too_little_is_reported_at_its_line(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _goal(repo, "followups:\n  T1-2023:\n    comment: >-\n      Ohälsotalet sjönk till 29 "
                "dagar\n    vilket är bra.\n\n    assessment: uppfyllt\n")
    out = _check(repo, "en", monkeypatch)
    assert out.startswith("goals/9.yaml:8:5: error[yaml-syntax]: this line is indented too "
                          "little")
    assert "hint: indent it by 6 spaces, as the text above" in out and "(`comment:`)" in out
    sv = _check(repo, "sv", monkeypatch)
    assert "raden är för lite indragen" in sv and "dra in den 6 blanksteg" in sv


def test_a_goal_whose_parent_is_its_own_target(repo: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    _goal(repo, 'parent: "9.1.1"\ntargets:\n  - id: "9.1.1"\n    text: Delmål\n')
    out = _check(repo, "en", monkeypatch)
    assert ("'9.1.1' is a target of this goal, not a goal: a parent is a goal on a higher "
            "level that this goal serves") in out
    assert "write '9.1'" not in out
    sv = _check(repo, "sv", monkeypatch)
    assert "'9.1.1' är ett delmål i just det här målet, inte ett mål" in sv


def test_a_scale_step_with_the_unassessed_symbol_is_a_problem(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = repo / "malpl.yaml"
    text = config.read_text(encoding="utf-8")
    assert "scale:" not in text
    config.write_text(text + "scale:\n  - {key: klart, label: Klart, color: \"#2e7d32\"}\n"
                      "  - {key: pagar, label: Pågår, color: \"#c77700\", symbol: ○}\n",
                      encoding="utf-8")
    for goal in (repo / "goals").glob("*.yaml"):  # only the scale's problem
        goal.write_text(goal.read_text(encoding="utf-8").replace("assessment: ", "# "),
                        encoding="utf-8")
    out = _check(repo, "en", monkeypatch)
    assert "error[invalid-value]: the symbol ○ of 'Pågår' is the one shown for \"Ej bedömd\"" in out
    sv = _check(repo, "sv", monkeypatch)
    assert "symbolen ○ för 'Pågår' är den som visas för \"Ej bedömd\"" in sv
