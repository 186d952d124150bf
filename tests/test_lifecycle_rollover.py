"""`malpl rollover`: ended goals are marked by one line; past reports stay the same."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.test_lifecycle_period import copy, only_added_lines, snapshot


def run(root: Path, *args: str):
    return invoke(["-C", str(root), *args])


def test_rollover_marks_ended_goals_and_past_report_is_unchanged(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    report = run(root, "report", "T1-2024", "-f", "md", "-o", "-", "--date", "2024-05-20")
    assert report.exit_code == 0, report.output
    before = snapshot(root)
    result = run(root, "rollover", "2025", "--end", "6.9")
    assert result.exit_code == 0, result.output
    assert "marked 1 goal ended 2024" in result.output
    after = snapshot(root)
    assert [n for n in before if before[n] != after[n]] == ["goals/tn/6.9.yaml"]
    added = only_added_lines(before["goals/tn/6.9.yaml"], after["goals/tn/6.9.yaml"])
    assert added == ["ended: 2024\n"]
    assert run(root, "check").exit_code == 0
    again = run(root, "report", "T1-2024", "-f", "md", "-o", "-", "--date", "2024-05-20")
    assert again.output == report.output
    opened = run(root, "period", "open", "T1-2025", "-b", "tn", "-n")
    assert "6.10.yaml" in opened.output and "6.9.yaml" not in opened.output


def test_rollover_refuses_unknown_or_already_ended_goal(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    unknown = run(root, "rollover", "2025", "--end", "6.9", "--end", "7.7")
    assert unknown.exit_code == 1 and "no goal with the id '7.7'" in unknown.output
    assert snapshot(root) == before
    assert run(root, "rollover", "2025", "-e", "6.9").exit_code == 0
    twice = run(root, "rollover", "2026", "-e", "6.9")
    assert twice.exit_code == 1 and "ended already (2024)" in twice.output


def test_rollover_names_the_targets_whose_deadline_has_passed(tmp_path: Path) -> None:
    """Targets 'by 2024' are not carried into 2025 without a word."""
    root = copy(FIXTURES / "kommun", tmp_path)
    result = run(root, "rollover", "2025", "-n")
    assert result.exit_code == 0, result.output
    assert "2 targets whose deadline (`by`) has passed continue too" in result.stderr
    for overdue in ("KS-3.1 (2024)", "2.1.1 (2024)"):
        assert overdue in result.stderr
    assert "B1" not in result.stderr  # by 2026: still running
