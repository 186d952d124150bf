"""Every problem code, on a real file, at the exact line and column."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from malpl.checks import CHECKS, check
from malpl.problems import CODES
from tests.conftest import FIXTURES, ROOT

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, int, int]:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    match = re.match(r"# expect: ([a-z-]+) (\d+):(\d+)", first)
    assert match, f"{path.name} must start with '# expect: code line:col'"
    return match.group(1), int(match.group(2)), int(match.group(3))


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_problem_is_reported_at_its_line(repo: Path, fixture: Path) -> None:
    code, line, col = _expectation(fixture)
    target = repo / "goals" / fixture.name
    shutil.copy(fixture, target)
    # Pulled Kolada figures that the kolada-* fixtures refer to.
    shutil.copytree(FIXTURES / "kolada" / "store", repo, dirs_exist_ok=True)
    result = check(repo, [target])
    assert result.problems, "expected a problem"
    first = result.problems[0]
    assert (first.path, first.code, first.line, first.column) == (
        f"goals/{fixture.name}", code, line, col), result.problems
    assert first.message and first.hint


def test_every_code_has_a_fixture() -> None:
    codes = {_expectation(p)[0] for p in INVALID}
    # These need links, pipes or permissions: tested in test_loader_hardening.py.
    assert set(CODES) - codes == {"unreadable", "outside-repository"}


def test_unreadable_file(repo: Path) -> None:
    from malpl.repository import read_source

    source = read_source(repo / "goals" / "missing.yaml", repo)
    assert [(p.path, p.code) for p in source.problems] == [("goals/missing.yaml", "unreadable")]


def test_shipped_goals_are_valid() -> None:
    result = check(ROOT)
    assert result.errors == 0, result.problems
    assert result.goals == 15
    # The seed lists one measure twice under goal 1.15; we keep it and warn.
    assert [(p.code, p.path) for p in result.problems] == [
        ("duplicate-measure", "goals/1.15.yaml")]


def test_fixture_repository_is_valid(repo: Path) -> None:
    result = check(repo)
    assert result.problems == []
    assert (result.goals, result.targets, result.measures) == (3, 3, 3)


def test_all_problems_are_reported_not_only_the_first(repo: Path) -> None:
    for name in ("unknown-field.yaml", "unknown-level.yaml", "value-range.yaml"):
        shutil.copy(FIXTURES / "invalid" / name, repo / "goals" / name)
    assert {p.code for p in check(repo).problems} == {
        "unknown-field", "unknown-level", "value-range"}


def test_paths_limit_the_report_but_ids_are_checked_repository_wide(repo: Path) -> None:
    clash = repo / "goals" / "clash.yaml"
    clash.write_text('id: "1.1.1"\nlevel: utvecklingsmal\ntitle: Samma id som ett delmål\n')
    result = check(repo, [clash])
    assert [(p.code, p.line) for p in result.problems] == [("duplicate-id", 1)]
    assert "goals/1.1.yaml:7" in result.problems[0].message


def test_did_you_mean_for_typos(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-field.yaml", repo / "goals" / "x.yaml")
    (problem,) = check(repo).problems
    assert "did you mean 'title'?" in problem.hint


def test_swedish_label_points_to_the_key(repo: Path) -> None:
    path = repo / "goals" / "x.yaml"
    path.write_text('id: "7"\nlevel: utvecklingsmal\ntitle: T\ntargets:\n  - id: "7.1"\n'
                    "    text: X\n    followups:\n      T1-2023:\n        assessment: Delvis uppfyllt\n")
    (problem,) = check(repo).problems
    assert problem.code == "unknown-assessment"
    assert "did you mean 'delvis_uppfyllt'?" in problem.hint


def test_number_id_hint_quotes_what_was_written(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "wrong-type.yaml", repo / "goals" / "x.yaml")
    (problem,) = check(repo).problems
    assert problem.hint == 'put it in quotes: id: "9.10"'


def test_bom_and_crlf_are_accepted(repo: Path) -> None:
    text = 'id: "5"\r\nlevel: inriktningsmal\r\ntitle: Mål med BOM och CRLF\r\n'
    (repo / "goals" / "5.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert check(repo).problems == []


def test_text_is_normalised_to_nfc(repo: Path) -> None:
    from malpl.repository import load_repository

    decomposed = "A\u030angermanland"  # Å as A + combining ring
    (repo / "goals" / "5.yaml").write_text(
        f'id: "5"\nlevel: inriktningsmal\ntitle: {decomposed}\n', encoding="utf-8")
    goal = load_repository(repo).goal("5")
    assert goal is not None and goal.title == "Ångermanland"


def test_windows_1252_is_named(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "encoding.yaml", repo / "goals" / "x.yaml")
    (problem,) = check(repo).problems
    assert "Windows-1252" in problem.message


def test_config_problems_point_into_malpl_yaml(repo: Path) -> None:
    (repo / "malpl.yaml").write_text(
        "scale:\n  - key: gron\n    label: Grön\n    color: '#00ff00'\n"
        "  - key: gron\n    label: Också grön\n    color: gron\n")
    codes = [(p.path, p.code, p.line) for p in check(repo).problems]
    assert ("malpl.yaml", "invalid-value", 7) in codes


def test_duplicate_scale_key_in_config(repo: Path) -> None:
    (repo / "malpl.yaml").write_text(
        "scale:\n  - key: gron\n    label: Grön\n    color: '#00ff00'\n"
        "  - key: gron\n    label: Också grön\n    color: '#00ee00'\n")
    problems = [p for p in check(repo).problems if p.path == "malpl.yaml"]
    assert [(p.code, p.line, p.column) for p in problems] == [("duplicate-id", 5, 10)]


def test_checks_are_pure_functions_listed_once() -> None:
    names = [c.__name__ for c in CHECKS]
    assert len(names) == len(set(names))
    assert all(n.startswith("check_") for n in names)


def test_docs_list_every_code() -> None:
    listed = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    assert [c for c in CODES if f"| `{c}` | {CODES[c]} |" not in listed] == []


def test_a_goal_that_does_not_load_is_one_error_not_one_per_child(tmp_path: Path) -> None:
    """Finding: an unquoted `id: 1:2` (a number to YAML) was reported, and then again as a
    missing parent in each of the four goals that break it down."""
    root = tmp_path / "kommun"
    shutil.copytree(FIXTURES / "kommun", root)
    goal = root / "goals" / "kf" / "1-2.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace('id: "1:2"', "id: 1:2", 1),
                    encoding="utf-8")
    errors = [p for p in check(root).problems if p.is_error]
    assert [(p.path, p.code) for p in errors] == [("goals/kf/1-2.yaml", "wrong-type")]


def test_a_wrong_value_does_not_hide_the_files_other_mistakes(repo: Path) -> None:
    """Finding: after one value of the wrong type, check said nothing of the same file's
    unknown level, period or assessment; fixing one mistake only showed the next."""
    target = repo / "goals" / "mistakes.yaml"
    shutil.copy(FIXTURES / "several" / "mistakes.yaml", target)
    found = [(p.code, p.line, p.column) for p in check(repo, [target]).problems]
    assert found == [("unknown-level", 3, 8), ("invalid-period", 9, 7),
                     ("unknown-assessment", 10, 21), ("wrong-type", 11, 16)]


def test_a_wrong_list_item_leaves_the_rest_of_the_file_to_later(repo: Path) -> None:
    """Leaving out a list item would move the next ones off their lines: the file's
    other mistakes wait, and nothing is said at a wrong line."""
    target = repo / "goals" / "mistakes.yaml"
    text = (FIXTURES / "several" / "mistakes.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace("targets:\n", "targets:\n  - 12\n"), encoding="utf-8")
    found = [p.code for p in check(repo, [target]).problems]
    assert found == ["wrong-type", "wrong-type"]


def test_a_parent_that_is_a_target_of_a_file_with_a_wrong_value_is_said_once(
        tmp_path: Path) -> None:
    """Finding: the checks of names ran on the goals that loaded and again with the ones
    that did not fit, and said "does not exist" beside "is a target of goal 1"."""
    (tmp_path / "goals").mkdir()
    (tmp_path / "malpl.yaml").write_text(
        "levels:\n  - {key: kfmal, label: KF}\n  - {key: namndmal, label: Nämnd}\n")
    (tmp_path / "goals" / "a.yaml").write_text(
        'id: "1"\nlevel: kfmal\ntitle: Ett mål.\norder: x\ntargets:\n'
        '  - id: "1.1"\n    text: Ett delmål.\n')
    (tmp_path / "goals" / "b.yaml").write_text(
        'id: "2"\nlevel: namndmal\nparent: "1.1"\ntitle: Ett nämndmål.\n')
    found = [(p.path, p.line, p.message) for p in check(tmp_path).problems]
    assert found == [
        ("goals/a.yaml", 4, "'order' must be a whole number, not the text 'x'"),
        ("goals/b.yaml", 3, "'1.1' is a target of goal 1, not a goal: a parent is a goal")]


@pytest.mark.parametrize("written, message", [
    ("order: !!int abc", "'abc' is not a whole number, as its tag '!!int' says"),
    ("order: !!float abc", "'abc' is not a number, as its tag '!!float' says"),
    ("order: !!bool maybe", "'maybe' is not true or false, as its tag '!!bool' says"),
])
def test_a_tag_that_says_what_the_value_is_not(repo: Path, written: str, message: str) -> None:
    """Finding: '!!bool maybe' was an internal error, '!!int abc' "too long to be read"."""
    target = repo / "goals" / "tagged.yaml"
    target.write_text(f'id: "9"\nlevel: utvecklingsmal\ntitle: x\n{written}\n',
                      encoding="utf-8")
    problems = check(repo, [target]).problems
    assert [(p.code, p.line, p.message) for p in problems] == [("invalid-value", 4, message)]
