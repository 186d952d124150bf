"""One truth per period: what did not exist in a period is absent from it everywhere, and
the terminal, the report and the site give the same counts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from malpl.periods import parse_period
from malpl.repository import load_repository
from malpl.snapshot import snapshot
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

LATE = """id: "9.9"
level: namndmal
start: T2-2024
title: Ett mål som antogs efter tertial 1
followups:
  T2-2024: {assessment: uppfyllt, comment: Klart., ready: true}
"""


@pytest.fixture
def later(tmp_path: Path) -> Path:
    """The municipality with T1-2024 closed and a goal of Tekniska nämnden added in T2."""
    root = tmp_path / "kommun"
    shutil.copytree(FIXTURES / "kommun", root)
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "periods:\n", "periods:\n  closed:\n    - T1-2024\n", 1), encoding="utf-8")
    (root / "goals" / "tn" / "9.9.yaml").write_text(LATE, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> str:
    result = invoke(["-C", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_goal_added_later_is_absent_from_the_closed_period_everywhere(later: Path,
                                                                        tmp_path: Path) -> None:
    assert "periods:\n  closed:" in (later / "malpl.yaml").read_text(encoding="utf-8")
    status = json.loads(run(later, "status", "T1-2024", "-f", "json"))
    assert "9.9" not in {r["id"] for r in status["targets"]}
    assert "9.9" not in run(later, "todo", "T1-2024", "-f", "json")
    report = tmp_path / "r.md"
    run(later, "report", "T1-2024", "-f", "md", "-o", str(report))
    assert "9.9" not in report.read_text(encoding="utf-8")
    run(later, "site", "T1-2024", "-o", str(tmp_path / "site"))
    assert not list((tmp_path / "site").rglob("*9.9*"))
    shown = invoke(["-C", str(later), "show", "9.9", "-p", "T1-2024"])
    assert shown.exit_code == 1 and "did not exist in T1-2024" in shown.output
    # ... and present from its first period on.
    t2 = json.loads(run(later, "status", "T2-2024", "-f", "json"))
    assert "9.9" in {r["id"] for r in t2["targets"]}


def test_new_goal_starts_in_the_first_period_that_is_not_closed(later: Path) -> None:
    run(later, "new", "goal", "--title", "Ännu ett mål", "--body", "tn")
    added = [p for p in (later / "goals" / "tn").glob("*.yaml")
             if "Ännu ett mål" in p.read_text(encoding="utf-8")]
    assert len(added) == 1 and "\nstart: T2-2024\n" in added[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", ["kommun", "repo", "statistik", "ange-enriched"])
def test_status_report_and_site_give_the_same_counts(fixture: str, tmp_path: Path) -> None:
    root = FIXTURES / fixture
    repo = load_repository(root)
    periods = sorted({k for g in repo.goals for f in [g.followups, *(t.followups for t in
                                                                      g.targets)] for k in f})
    for key in periods:
        snap = snapshot(repo, parse_period(key, repo.config.periods.scheme))
        status = json.loads(run(root, "status", key, "-f", "json"))
        assert [(s["level"], s["total"], s["assessed"]) for s in status["summaries"]] == [
            (s.level, s.total, s.assessed) for s in snap.summaries]
        # Every goal and target of the period counted once, in its own level.
        assert sum(s.total for s in snap.levels()) == len(snap.goals) + sum(
            1 for r in snap.rows if r.kind == "target")
        out = tmp_path / f"{key}.md"
        run(root, "report", key, "-f", "md", "-o", str(out))
        if repo.config.report.summary:
            text = out.read_text(encoding="utf-8")
            for summary in snap.levels():
                assert f"{summary.label}: {summary.assessed} av {summary.total} bedömda" in text
