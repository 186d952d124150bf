"""A whole municipality in one repository: bodies, links across them, follow-up at
every level, scales with a step that is not a judgement, measures over time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from malpl import measureviews, views
from malpl.checks import check, validate
from malpl.diff import diff
from malpl.periods import parse_period
from malpl.repository import load_repository
from malpl.snapshot import snapshot
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

T1_2024 = parse_period("T1-2024", "tertial")


@pytest.fixture
def kommun(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "kommun", tmp_path / "kommun")
    return tmp_path / "kommun"


def _write(root: Path, name: str, text: str) -> Path:
    path = root / "goals" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_fixtures_are_valid() -> None:
    for name in ("kommun", "statistik"):
        assert check(FIXTURES / name).problems == [], name


def test_body_comes_from_key_or_folder_in_configured_order() -> None:
    repo = load_repository(FIXTURES / "kommun")
    assert [(g.id, g.body_key) for g in repo.goals] == [
        ("MO1", "kf"), ("MO2", "kf"), ("1:1", "kf"), ("1:2", "kf"), ("1:10", "kf"),
        ("KS-3", "ks"), ("2.1", "bun"), ("2.2", "bun"), ("6.9", "tn"), ("6.10", "tn"),
        ("B1", "bostad")]


def test_folder_or_key_naming_no_body_is_an_error(kommun: Path) -> None:
    _write(kommun, "fn/1.yaml", 'id: "F1"\nlevel: namndmal\ntitle: x\n')
    _write(kommun, "tn/9.yaml", 'id: "9"\nlevel: namndmal\nbody: teknik\ntitle: x\n')
    _write(kommun, "loose.yaml", 'id: "L"\nlevel: namndmal\ntitle: x\n')
    problems = [(p.path, p.code, p.line) for p in check(kommun).problems]
    assert problems == [("goals/fn/1.yaml", "unknown-body", 1),
                        ("goals/loose.yaml", "unknown-body", 1),
                        ("goals/tn/9.yaml", "unknown-body", 3)]
    messages = {p.path: p.message + " " + p.hint for p in check(kommun).problems}
    assert "goals/fn/ names no body" in messages["goals/fn/1.yaml"]
    assert "did you mean 'tn'?" in messages["goals/tn/9.yaml"]


def test_parent_naming_a_target_says_so(kommun: Path) -> None:
    _write(kommun, "tn/7.yaml", 'id: "7"\nlevel: namndmal\nparent: ["1:2", "2.1.1"]\ntitle: x\n')
    [problem] = check(kommun).problems
    assert (problem.code, problem.line, problem.column) == ("unknown-reference", 3, 17)
    assert "'2.1.1' is a target of goal 2.1, not a goal" in problem.message


def test_unquoted_colon_id_hint_leads_to_a_valid_id(kommun: Path) -> None:
    _write(kommun, "kf/x.yaml", "id: 3:1\nlevel: kfmal\ntitle: x\n")
    [problem] = check(kommun).problems
    assert problem.code == "wrong-type" and 'id: "3:1"' in problem.hint
    _write(kommun, "kf/x.yaml", 'id: "3:1"\nlevel: kfmal\ntitle: x\n')
    assert check(kommun).problems == []


def test_explicit_order_wins_over_natural_order(kommun: Path) -> None:
    path = kommun / "goals" / "tn" / "6.10.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "order: 1\n", encoding="utf-8")
    ids = [g.id for g in load_repository(kommun).goals_of(["tn"])]
    assert ids == ["6.10", "6.9"]


def test_goal_follow_ups_and_roll_up() -> None:
    repo = load_repository(FIXTURES / "kommun")
    rows = {r.id: r for r in views.rows(repo, T1_2024)}
    assert rows["1:1"].kind == "goal" and rows["1:1"].assessment.key == "delvis_uppfyllt"
    assert rows["MO1"].rollup == "Uppfyllt 1 av 5, delvis uppfyllt 3, ej påbörjat 1"
    assert rows["MO2"].rollup == "Ej uppfyllt 1 av 1"  # 1:10 is followed up itself
    assert "KS-3" not in rows  # summarised by its target, not followed up itself


def test_summary_counts_one_level_at_a_time() -> None:
    repo = load_repository(FIXTURES / "kommun")
    snap = snapshot(repo, T1_2024)
    assert snap.level == "target"
    kf = next(s for s in snap.levels() if s.level == "kfmal")
    assert [(s.label, s.count) for s in kf.steps if s.count] == [
        ("Delvis uppfyllt", 1), ("Ej uppfyllt", 1), ("Ej bedömd", 1)]
    # Every goal and target of the period once, in its own level: none dropped, none twice.
    goals = views.current(repo.config, repo.goals, T1_2024)
    assert sum(s.total for s in snap.levels()) == len(goals) + sum(len(g.targets) for g in goals)
    assert {s.level: s.total for s in snap.levels()} == {
        lv: sum(1 for g in goals if g.level == lv) for lv in {g.level for g in goals}
    } | {"target": sum(len(g.targets) for g in goals)}


def test_show_lists_goals_that_break_it_down_by_body() -> None:
    repo = load_repository(FIXTURES / "kommun")
    detail = views.detail(repo, "1:2", T1_2024)
    assert {body: [g.id for g in goals] for body, goals in (detail.children or {}).items()} == {
        "Kommunstyrelsen": ["KS-3"], "Tekniska nämnden": ["6.10"],
        "Storby Bostäder AB": ["B1"]} | {"Tekniska nämnden": ["6.9", "6.10"]}
    assert [p.id for p in views.detail(repo, "6.10").parents] == ["1:2", "1:10"]


def test_body_filter() -> None:
    repo = load_repository(FIXTURES / "kommun")
    view = snapshot(repo, T1_2024, bodies=["tn"])
    assert [r.id for r in view.rows] == ["6.9.1", "6.10.1"]
    # A goal followed up through its targets is still counted at its own level.
    assert {s.level: s.total for s in view.levels()} == {"namndmal": 2, "target": 2}
    with pytest.raises(views.MalplError, match="there is no body 'xx'"):
        snapshot(repo, T1_2024, bodies=["xx"])


def test_step_that_is_not_a_judgement() -> None:
    repo = load_repository(FIXTURES / "statistik")
    summary = {s.key: s for s in snapshot(repo, T1_2024).headline.steps}
    assert summary["kan_ej_bedomas"].count == 1 and not summary["kan_ej_bedomas"].assessed
    assert repo.config.rank("kan_ej_bedomas") is None
    later = load_repository(FIXTURES / "statistik")
    target = later.goals[0].targets[0]
    target.followups["T1-2024"].assessment = "uppfyllt"
    changes = [c for c in diff(repo, later) if c.field == "assessment"]
    assert [(c.old, c.new, c.direction) for c in changes] == [
        ("kan_ej_bedomas", "uppfyllt", "")]


def _measure(period: str | None, ident: str) -> measureviews.MeasureView:
    repo = load_repository(FIXTURES / "statistik")
    chosen = parse_period(period, "tertial") if period else None
    return next(m for m in views.measure_views(repo, period=chosen) if m.id == ident)


def test_missing_values_and_breaks_are_kept_and_shown() -> None:
    view = _measure(None, "M1.m1")
    assert [(m.key, m.text) for m in view.missing] == [
        ("2014", "Mätningen gjordes inte (stationen flyttades).")]
    assert [m.key for m in view.breaks] == ["2015"]
    assert "2014" not in [p.key for p in view.series]
    assert view.note.startswith("Mätningen gjordes om 2015")


@pytest.mark.parametrize("period, ident, trend", [
    (None, "M1.m1", "better"),          # 17,1 → 16,5, lower is better, beyond the tolerance
    ("T1-2024", "M1.m1", "better"),     # 2024 is not known yet: 18,8 → 17,1
    ("T3-2015", "M1.m1", ""),           # 2015 follows a missing value and a break
    ("T3-2016", "M1.m1", "better"),     # 2015 → 2016: both after the break
    ("T3-2021", "M1.m1", ""),           # 2016 → 2021 is a gap
    (None, "M1.m2", "unchanged"),       # 14 → 14,2 within the tolerance 0,5
    (None, "M1.m3", "not_assessable"),  # stated by hand
    ("T3-2022", "M1.m3", ""),           # the stated trend is for 2023
])
def test_trend(period: str | None, ident: str, trend: str) -> None:
    assert _measure(period, ident).trend == trend


def test_ceiling_target_and_no_invented_progress() -> None:
    view = _measure(None, "M1.m1")
    assert (view.target, view.target_kind, view.target_value) == (
        "högst 20 µg/m³", "ceiling", 20) or view.target.startswith("högst 20")
    assert view.progress is None  # no baseline: no "0,0 % av vägen"


def test_views_of_a_period_are_bounded_by_it() -> None:
    view = _measure("T1-2024", "M1.m1")
    assert view.latest is not None and view.latest.key == "2023"
    assert _measure("T3-2024", "M1.m1").latest.key == "2024"  # type: ignore[union-attr]


def test_every_command_works_with_goals_and_no_follow_ups(tmp_path: Path) -> None:
    _write(tmp_path, "1.yaml", 'id: "1"\nlevel: utvecklingsmal\ntitle: Ett nytt mål\n')
    repo = load_repository(tmp_path)
    assert validate(repo) == []
    period = views.resolve_period(repo, None)
    assert [r.assessment.key for r in views.rows(repo, period)] == [None]
    assert views.detail(repo, "1").own is not None


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "Controller", "GIT_AUTHOR_EMAIL": "c@example.org",
                        "GIT_COMMITTER_NAME": "Controller", "GIT_COMMITTER_EMAIL": "c@example.org",
                        "HOME": str(root), "PATH": "/usr/bin:/bin"})


def test_diff_and_log_treat_goal_follow_ups_and_bodies(kommun: Path) -> None:
    from malpl.diff import diff_revisions, format_text, history

    _git(kommun, "init", "-q", "-b", "main")
    _git(kommun, "add", ".")
    _git(kommun, "commit", "-qm", "T1")
    kf = kommun / "goals" / "kf" / "1-10.yaml"
    kf.write_text(kf.read_text(encoding="utf-8").replace("ej_uppfyllt", "delvis_uppfyllt"),
                  encoding="utf-8")
    tn = kommun / "goals" / "tn" / "6.9.yaml"
    tn.write_text(tn.read_text(encoding="utf-8").replace("210 armaturer", "212 armaturer"),
                  encoding="utf-8")
    result = diff_revisions(kommun)
    assert format_text(result.changes, result.config).splitlines() == [
        "goal 1:10 T1-2024 assessment: from Ej uppfyllt (■) to Delvis uppfyllt (▲), better",
        "target 6.9.1 T1-2024 comment: [-210 -]{+212 +}armaturer har bytts."]
    only_tn = diff_revisions(kommun, bodies=["tn"])
    assert [c.id for c in only_tn.changes] == ["6.9.1"]
    _git(kommun, "commit", "-qam", "Ändrat")
    entries = history(kommun, None, ["kf"])
    assert [c.id for c in entries[0].changes] == ["1:10"]
    assert {c.id for c in entries[1].changes} == {"MO1", "MO2", "1:1", "1:2", "1:10"}


def test_cli_body_level_and_at(kommun: Path) -> None:
    import json

    def run(*args: str) -> str:
        result = invoke(["-C", str(kommun), *args])
        assert result.exit_code == 0, result.output
        return result.output

    _git(kommun, "init", "-q", "-b", "main")
    _git(kommun, "add", ".")
    _git(kommun, "commit", "-qm", "T1")
    _git(kommun, "tag", "skickad-T1")
    path = kommun / "goals" / "tn" / "6.9.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("assessment: uppfyllt",
                                                             "assessment: ej_uppfyllt"))
    status = json.loads(run("status", "T1-2024", "-b", "tn", "-f", "json"))
    assert [(r["id"], r["assessment"]["key"]) for r in status["targets"]] == [
        ("6.9.1", "ej_uppfyllt"), ("6.10.1", "ej_paborjat")]
    then = json.loads(run("status", "T1-2024", "-b", "tn", "--at", "skickad-T1", "-f", "json"))
    assert then["targets"][0]["assessment"]["key"] == "uppfyllt"
    kf = json.loads(run("status", "T1-2024", "-b", "kf", "--level", "kfmal", "-f", "json"))
    assert kf["summary_level"] == "Kommunfullmäktiges mål"
    shown = json.loads(run("show", "1:2", "-f", "json", "--at", "skickad-T1"))
    assert shown["broken_down_by"]["Tekniska nämnden"] == ["6.9", "6.10"]
    assert "6.9.1" in run("diff", "-b", "tn") and "6.9.1" not in run("diff", "-b", "kf")
    bad = invoke(["-C", str(kommun), "status", "--at", "nej"])
    assert bad.exit_code in (1, 2) and "not a revision" in bad.output


def test_an_ended_goal_is_in_its_last_year_and_not_after(kommun: Path) -> None:
    path = kommun / "goals" / "tn" / "6.9.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "ended: 2023\n", encoding="utf-8")
    repo = load_repository(kommun)
    assert check(kommun).problems == []
    assert "6.9.1" not in [r.id for r in views.rows(repo, T1_2024)]
    assert "6.9.1" in [r.id for r in views.rows(repo, parse_period("T3-2023", "tertial"))]
    rollup = {r.id: r.rollup for r in views.rows(repo, T1_2024)}["1:2"]
    assert rollup == "Delvis uppfyllt 2 av 3, ej påbörjat 1"  # 6.9 no longer counts


@pytest.mark.parametrize("fixture", ["kommun", "statistik"])
def test_textconv_renders_every_goal_file(fixture: str) -> None:
    from malpl.textconv import textconv

    root = FIXTURES / fixture
    for path in (root / "goals").rglob("*.yaml"):
        text = textconv(path, root)
        assert text.startswith("Goal ") and "\n\n\n" not in text
    assert "missing 2014: Mätningen gjordes inte" in textconv(
        FIXTURES / "statistik" / "goals" / "M1.yaml", FIXTURES / "statistik")


@pytest.mark.parametrize("written, hint", [
    ("t1-2023", "did you mean 'T1-2023'? write periods as T1-2023 … T3-2023"),
    ("2024-T2", "did you mean 'T2-2024'? write periods as T1-2024 … T3-2024"),
    ("T1-2025x", "write periods as T1-2025 … T3-2025"),  # the year written, not 2023
    ("t4-2023", "write periods as T1-2023 … T3-2023"),  # no tertial 4 to suggest
    ("T1\u20132024", "did you mean 'T1-2024'? write periods as T1-2024 … T3-2024"),  # en dash
    ("T1-\u0662\u0660\u0662\u0664", "write periods as T1-2023 … T3-2023"),  # digits, not ASCII
    ("T1-25", "did you mean 'T1-2025'? write periods as T1-2025 … T3-2025"),  # two digits
    ("t2-24", "did you mean 'T2-2024'? write periods as T1-2024 … T3-2024"),
])
def test_a_period_written_almost_right_gets_the_period_meant(written: str, hint: str) -> None:
    from malpl.periods import PeriodError

    with pytest.raises(PeriodError) as err:
        parse_period(written, "tertial")
    assert err.value.hint == hint


def test_a_year_out_of_range_says_the_range() -> None:
    from malpl.periods import PeriodError

    with pytest.raises(PeriodError, match=r"the year in 'T1-1850' is out of range \(1900–2100\)"):
        parse_period("T1-1850", "tertial")
