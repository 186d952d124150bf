"""`malpl new goal|target|measure`: check passes and the diff is exactly the new lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT
from tests.test_lifecycle_period import copy, only_added_lines, snapshot


def run(root: Path, *args: str):
    return invoke(["-C", str(root), *args])


@pytest.mark.parametrize("source, goal", [(ROOT, "1.11"), (ROOT, "1.13"),
                                          (FIXTURES / "kommun", "6.9"),
                                          (FIXTURES / "kommun", "MO1")])
def test_new_target_and_measure_only_add_lines(source: Path, goal: str, tmp_path: Path) -> None:
    root = copy(source, tmp_path)
    before = snapshot(root)
    target = run(root, "new", "target", "-g", goal, "-t", "Ett nytt delmål: 'x' # y",
                 "-r", "Chef")
    assert target.exit_code == 0, target.output
    measure = run(root, "new", "measure", "-g", goal, "-t", "Antal", "--unit", "%",
                  "--direction", "higher")
    assert measure.exit_code == 0, measure.output
    after = snapshot(root)
    changed = [n for n in before if before[n] != after[n]]
    assert len(changed) == 1
    added = "".join(only_added_lines(before[changed[0]], after[changed[0]]))
    assert "text: \"Ett nytt delmål: 'x' # y\"" in added or "Ett nytt delmål: 'x' # y" in added
    assert "name: Antal" in added
    check = run(root, "check", "-f", "json")
    assert check.exit_code == 0, check.output
    shown = run(root, "show", target.output.split()[2], "-f", "json")
    assert "Ett nytt delmål: 'x' # y" in shown.output


def test_new_goal_takes_the_next_id_under_its_parent(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    result = run(root, "new", "goal", "-t", "Ett nytt mål", "-p", "MO1", "-r", "KD")
    assert result.exit_code == 0, result.output
    assert "added goal MO1.1" in result.output
    text = (root / "goals/kf/MO1.1.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/goal.schema.json\n"
                           'id: "MO1.1"\nlevel: kfmal\nparent: "MO1"\nresponsible: "KD"\n')
    assert run(root, "check").exit_code == 0
    again = run(root, "new", "goal", "-t", "Ett till", "-p", "MO1", "-b", "tn", "-n")
    assert "goals/tn/MO1.2.yaml" in again.output


def test_new_refuses_unknown_body_goal_and_taken_id(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    body = run(root, "new", "goal", "-t", "x", "-b", "sn")
    assert body.exit_code == 2 and "there is no body 'sn'" in body.output
    goal = run(root, "new", "target", "-g", "9.9", "-t", "x")
    assert goal.exit_code == 1 and "no goal with the id '9.9'" in goal.output
    taken = run(root, "new", "goal", "-t", "x", "--id", "6.9")
    assert taken.exit_code == 1 and "there is a goal or target '6.9' already" in taken.output
    assert snapshot(root) == before


def test_new_goal_id_never_takes_a_target_id(tmp_path: Path) -> None:
    """Goals and targets share one namespace: 'kf.1.1' is the example goal's target."""
    root = tmp_path / "ny"
    init = invoke(["init", str(root), "--name", "Nyby kommun",
                                    "-b", "kf:Kommunfullmäktige:fullmaktige",
                                    "-b", "ks:Kommunstyrelsen:styrelse"])
    assert init.exit_code == 0, init.output
    result = invoke(["-C", str(root), "new", "goal", "-t", "Cykla mer.",
                                      "-p", "kf.1", "-b", "ks"])
    assert result.exit_code == 0, result.output
    assert "kf.1.2" in result.output
    assert invoke(["-C", str(root), "check"]).exit_code == 0


def test_new_measure_with_a_rule_is_an_indicator(tmp_path: Path) -> None:
    """`new measure` writes the rule's fields, and the result passes check."""
    import shutil

    from malpl.checks import check

    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "indikatorer", root)
    done = invoke(["-C", str(root), "new", "measure", "-g", "1.1", "-t", "Skattesats",
                   "--unit", "kr", "--direction", "lower", "--below", "22", "--average", "3",
                   "--partly", "0,5", "--interval", "2"])
    assert done.exit_code == 0, done.output
    text = (root / "goals" / "kf" / "1.1.yaml").read_text(encoding="utf-8")
    assert text.endswith('    name: Skattesats\n    unit: kr\n    direction: lower\n'
                         '    interval: 2\n    assessed: true\n    target:\n      below: 22\n'
                         '      average: 3\n      partly: 0.5\n')
    assert not check(root).problems
    two = invoke(["-C", str(root), "new", "measure", "-g", "1.1", "-t", "X", "--min", "3",
                  "--above", "4"])
    assert two.exit_code == 2 and "give one bound: --min, --above" in two.output
