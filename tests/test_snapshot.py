"""One truth per period: what did not exist in a period is absent from it everywhere, and
the terminal, the report and the site give the same counts."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    run(later, "site", "T1-2024", "--draft", "-o", str(tmp_path / "site"))
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
            text = out.read_text(encoding="utf-8").replace("\n", " ")  # paragraphs wrap
            for summary in snap.levels():
                assert f"{summary.label}: {summary.assessed} av {summary.total} bedömda" in text


SCALE = ["uppfyllt", "delvis_uppfyllt", "ej_uppfyllt", None]
LEVELS = ["kfmal", "namndmal"]


@st.composite
def municipalities(draw: st.DrawFn) -> dict[str, str]:
    """A small municipality: two bodies, goals on two levels (some serving another), each
    followed up itself, through targets, or not at all; some starting in T2."""
    files = {"malpl.yaml": (
        "bodies:\n  - {key: kf, name: Kommunfullmäktige, kind: fullmaktige}\n"
        "  - {key: tn, name: Tekniska nämnden}\n"
        "levels:\n  - {key: kfmal, label: KF-mål}\n  - {key: namndmal, label: Nämndmål}\n"
        "report: {summary: true}\n")}
    # Fullmäktige's first goal is followed up in both periods, so each has a report.
    files["goals/kf/G0.yaml"] = ('id: "G0"\nlevel: kfmal\ntitle: Mål 0\nfollowups:\n'
                                 "  T1-2024: {comment: Skrivet., ready: true}\n"
                                 "  T2-2024: {assessment: uppfyllt, comment: Klart., ready: true}\n")
    count = draw(st.integers(1, 5))
    for n in range(1, count + 1):
        level = draw(st.sampled_from(LEVELS))
        body = "kf" if level == "kfmal" else "tn"
        lines = [f'id: "G{n}"', f"level: {level}", f"title: Mål {n}"]
        if level == "namndmal" and draw(st.booleans()):
            lines.append('parent: "G0"')
        if draw(st.booleans()):
            lines.append("start: T2-2024")
        own = draw(st.sampled_from([*SCALE, "none"]))
        if own != "none":
            value = f"assessment: {own}, " if own else ""
            lines.append(f"followups:\n  T2-2024: {{{value}comment: Skrivet., "
                         f"ready: {str(draw(st.booleans())).lower()}}}")
        targets = draw(st.lists(st.sampled_from(SCALE), max_size=3))
        if targets:
            lines.append("targets:")
            for i, assessment in enumerate(targets, 1):
                value = f"assessment: {assessment}, " if assessment else ""
                lines.append(f'  - id: "G{n}.{i}"\n    text: Delmål {i}\n    followups:\n'
                             f"      T2-2024: {{{value}comment: Ok., ready: true}}")
        files[f"goals/{body}/G{n}.yaml"] = "\n".join(lines) + "\n"
    return files


def _site_levels(page: str) -> list[tuple[str, int]]:
    rows = re.findall(r'<h3 class="level-name">([^<]*) <span class="count">\((\d+)\)', page)
    return [(label, int(total)) for label, total in rows]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=municipalities(), period=st.sampled_from(["T1-2024", "T2-2024"]))
def test_generated_municipalities_count_alike_everywhere(files: dict[str, str], period: str,
                                                         tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    repo = load_repository(root)
    snap = snapshot(repo, parse_period(period, "tertial"))
    goals = [g for g in repo.goals if period == "T2-2024" or g.start is None]
    assert not [p for p in repo.problems if p.is_error]
    # Every goal and target that existed is counted once, in its own level.
    assert {s.level: s.total for s in snap.levels()} == {
        k: v for k, v in {
            "kfmal": sum(1 for g in goals if g.level == "kfmal"),
            "namndmal": sum(1 for g in goals if g.level == "namndmal"),
            "target": sum(len(g.targets) for g in goals)}.items() if v}
    status = json.loads(run(root, "status", period, "-f", "json"))
    assert [(s["label"], s["total"], s["assessed"]) for s in status["summaries"]] == [
        (s.label, s.total, s.assessed) for s in snap.summaries]
    report = run(root, "report", period, "-f", "md", "-o", "-")
    for summary in snap.levels():
        assert f"{summary.label}: {summary.assessed} av {summary.total} bedömda" in report
    run(root, "site", period, "--draft", "-o", str(root / "site"))
    for body in snap.bodies:
        page = (root / "site" / period / "organ" / f"{body.key}.html").read_text(encoding="utf-8")
        shown = snap.levels(body.key) if len(snap.bodies) > 1 else snap.levels()
        assert _site_levels(page) == [(s.label, s.total) for s in shown]
