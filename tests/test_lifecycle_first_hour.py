"""The first hour with a new repository: what a new planner tried and had to guess."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from malpl.repository import load_repository
from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.test_lifecycle_period import copy, snapshot


def run(root: Path, *args: str):
    return invoke(["-C", str(root), *args])


def started(tmp_path: Path) -> Path:
    root = tmp_path / "mal"
    result = invoke(["init", str(root), "--name", "Nyby kommun"])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("empty_folder", [False, True])
def test_removing_the_example_goals_leaves_a_valid_empty_repository(
        tmp_path: Path, empty_folder: bool) -> None:
    """Finding: with the three example goals removed, check and new goal said "there is no
    goals/ folder" although malpl.yaml was there."""
    root = started(tmp_path)
    shutil.rmtree(root / "goals")
    if empty_folder:
        (root / "goals").mkdir()
    check = run(root, "check")
    assert check.exit_code == 0, check.output
    assert "0 goals" in check.output
    goal = run(root, "new", "goal", "-t", "Fler ska cykla till jobbet.", "-b", "ks")
    assert goal.exit_code == 0, goal.output
    assert (root / "goals/ks/1.yaml").is_file()
    assert run(root, "check").exit_code == 0
    assert [g.id for g in load_repository(root).goals] == ["1"]


def test_a_folder_with_neither_malpl_yaml_nor_goals_is_still_refused(tmp_path: Path) -> None:
    result = run(tmp_path, "check")
    assert result.exit_code == 1 and "goals/" in result.output


def test_new_target_sets_its_value(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    result = run(root, "new", "target", "-g", "6.9", "-t", "Lägre sjukfrånvaro",
                 "--max", "0,9", "--min", "0.25", "--unit", "%", "--by", "T3-2026")
    assert result.exit_code == 0, result.output
    assert run(root, "check").exit_code == 0
    goal = load_repository(root).goal("6.9")
    assert goal is not None
    value = goal.targets[-1].target
    assert value is not None
    assert (value.min, value.max, value.unit, value.by) == (0.25, 0.9, "%", "T3-2026")
    text = (root / "goals/tn/6.9.yaml").read_text()
    assert "      min: 0.25\n      max: 0.9\n      unit: '%'\n      by: T3-2026\n" in text
    whole = run(root, "new", "target", "-g", "6.9", "-t", "Fyra nya", "--min", "4")
    assert whole.exit_code == 0 and "      min: 4\n" in (root / "goals/tn/6.9.yaml").read_text()


@pytest.mark.parametrize("options, message", [
    (["--unit", "st"], "--unit and --by belong to a target value, which needs --min or --max"),
    (["--by", "2026"], "--unit and --by belong to a target value"),
    (["--min", "5", "--max", "3"], "--min 5 is above --max 3"),
    (["--min", "fem"], "--min: 'fem' is not a number"),
    (["--max", "nan"], "--max: 'nan' is not a number"),
    (["--min", "1", "--by", "T4-2026"], "--by: "),
])
def test_new_target_refuses_a_value_check_would_refuse(tmp_path: Path, options: list[str],
                                                       message: str) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    result = run(root, "new", "target", "-g", "6.9", "-t", "x", *options)
    assert result.exit_code == 2 and message in result.output, result.output
    assert snapshot(root) == before


def test_new_goal_serves_two_parents(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    result = run(root, "new", "goal", "-t", "Trygga gång- och cykelvägar", "-p", "1:2",
                 "-p", "1:10", "-p", "1:2", "-b", "tn")
    assert result.exit_code == 0, result.output
    assert "added goal 1:2:1" in result.output
    text = (root / "goals/tn/1-2-1.yaml").read_text()
    assert 'level: namndmal\nparent: ["1:2", "1:10"]\n' in text
    assert run(root, "check").exit_code == 0
    goal = load_repository(root).goal("1:2:1")
    assert goal is not None and goal.parents == ["1:2", "1:10"]


def test_new_goal_takes_the_level_below_its_lowest_parent(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    result = run(root, "new", "goal", "-t", "x", "-p", "MO1", "-p", "1:2", "-b", "tn", "-n")
    assert result.exit_code == 0, result.output
    assert "+level: namndmal\n" in result.output
    lowest = run(root, "new", "goal", "-t", "x", "-p", "MO1", "-p", "6.9", "-n")
    assert lowest.exit_code == 2 and "goal 6.9 is on the lowest level" in lowest.output


def test_period_open_carry_says_what_it_copied(tmp_path: Path) -> None:
    """Finding: --carry copied last period's assessments without a word."""
    root = copy(FIXTURES / "kommun", tmp_path)
    plain = run(root, "period", "open", "T3-2024", "-n")
    assert "copied" not in plain.output
    result = run(root, "period", "open", "T3-2024", "--carry")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1:] == ["copied last period's assessment and forecast in 9 places",
                         "check that they still hold before you mark them ready"], result.stdout
