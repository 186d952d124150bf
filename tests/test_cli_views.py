"""`malpl status`, `show`, `todo` and `measures` on the shipped goals and a two-period fixture."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from malpl.periods import Period
from malpl.repository import load_repository
from malpl.snapshot import snapshot
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden"
T1, T2 = Period(2023, 1, "T"), Period(2023, 2, "T")


def run(*args: str, columns: int = 100, **env: str):
    result = invoke(list(args), env={"COLUMNS": str(columns), **env})
    assert "Traceback" not in result.output
    return result


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_status_and_todo_golden_plain_table(repo: Path, lang: str) -> None:
    suffix = "-sv" if lang == "sv" else ""
    result = run("-C", str(repo), "status", "T2-2023", MALPL_LANG=lang)
    assert result.exit_code == 0
    assert "\x1b[" not in result.output  # no escape codes when piped
    golden(f"status-T2-2023{suffix}.txt", result.output)
    golden(f"todo-T2-2023{suffix}.txt", run("-C", str(repo), "todo", "T2-2023",
                                            MALPL_LANG=lang).output)


def test_status_defaults_to_latest_period_and_shows_change(repo: Path) -> None:
    t2 = run("-C", str(repo), "status").output
    t1 = run("-C", str(repo), "status", "T1-2023").output
    assert "Tertial 2 2023" in t2 and "■ Ej uppfyllt" in t2
    assert "▲ Delvis uppfyllt" in t1 and "Ej uppfyllt" not in t1.split("1.1 Fler")[1]


def test_status_json_is_the_library_data(repo: Path) -> None:
    result = run("-C", str(repo), "status", "T1-2023", "--format", "json")
    view = snapshot(load_repository(repo), T1)
    assert json.loads(result.output) == json.loads(json.dumps(view.as_dict()))
    assert json.loads(result.output)["summary"][0]["share"] == "33,3\u00a0%"


def test_status_csv(repo: Path) -> None:
    result = run("-C", str(repo), "status", "T1-2023", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff")),
                               delimiter=";"))
    assert [(r["Id"], r["Assessment key"]) for r in rows] == [
        ("1", ""), ("1.1.1", "delvis_uppfyllt"), ("1.1.2", "uppfyllt"), ("1.2.1", "")]


def test_status_filters(repo: Path) -> None:
    by_goal = json.loads(run("-C", str(repo), "status", "T1-2023", "-g", "1.2", "-f", "json").output)
    assert [t["id"] for t in by_goal["targets"]] == ["1.2.1"]
    by_person = json.loads(run("-C", str(repo), "status", "T1-2023", "-r", "rektor",
                               "-f", "json").output)
    assert [t["id"] for t in by_person["targets"]] == ["1.1.1", "1.1.2"]
    by_assessment = json.loads(run("-C", str(repo), "status", "T1-2023", "-a", "ej_bedomd",
                                   "-f", "json").output)
    assert [t["id"] for t in by_assessment["targets"]] == ["1", "1.2.1"]


@pytest.mark.parametrize("args, message, code", [
    (("status", "T9-2023"), "is not a period of the scheme 'tertial'", 2),  # not a value
    (("status", "-g", "7"), "no goal with the id '7'", 1),  # a value, not in the goals
    (("status", "-a", "grön"), "'grön' is not on the scale", 2),  # not one of the choices
    (("status", "-b", "nosuch"), "there is no body 'nosuch'", 2),
    (("report", "T1-2023", "-l", "nope", "-f", "md", "-o", "-"), "there is no level 'nope'", 2),
    (("show", "9.9"), "no goal or target with the id '9.9'", 1),
    (("measures", "-g", "7"), "no goal with the id '7'", 1),
])
def test_clear_errors(repo: Path, args: tuple[str, ...], message: str, code: int) -> None:
    """A value that cannot be one (a period, a scale step, a body) is a usage error (2);
    an id the goals do not hold is an error in what was looked up (1)."""
    result = run("-C", str(repo), *args)
    assert result.exit_code == code
    assert message in result.output


def test_goals_without_follow_ups_work_everywhere(repo: Path) -> None:
    """A new repository: goals written, no follow-up yet. Nothing crashes."""
    for path in (repo / "goals").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.split("    followups:")[0], encoding="utf-8")
    for args in (["status"], ["status", "T3-2023"], ["show", "1.1"], ["show", "1.1.1"],
                 ["show", "1"], ["todo", "T3-2023"], ["measures"]):
        result = run("-C", str(repo), *args)
        assert result.exit_code == 0, (args, result.output)
    assert "Ej bedömd" in run("-C", str(repo), "status", "T3-2023").output


def test_invalid_files_are_refused(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-level.yaml", repo / "goals" / "x.yaml")
    for command in ("status", "show", "todo", "measures"):
        args = {"show": ["1.1"], "todo": ["T1-2023"]}.get(command, [])
        result = run("-C", str(repo), command, *args)
        assert result.exit_code == 1
        assert "goals/x.yaml:3:8: error[unknown-level]" in result.output
        assert "run 'malpl check'" in result.output


def test_show_goal_has_history_comment_and_measures(repo: Path) -> None:
    out = run("-C", str(repo), "show", "1.1").output
    assert "T1-2023  ▲ Delvis uppfyllt  ● Uppfyllt" in out
    assert "T2-2023  ■ Ej uppfyllt      ■ Ej uppfyllt" in out
    assert "Comment T2-2023:" in out and "Utfallet blev 79,2 % behöriga" in out
    assert "latest 2022: 79,2\u00a0%" in out and "Riket 2022: 83,5\u00a0%" in out
    assert "█▆▁ 2020–2022 ↘ försämrad" in out


def test_show_target_and_chosen_period(repo: Path) -> None:
    out = run("-C", str(repo), "show", "1.1.1", "--period", "T1-2023").output
    assert "Comment T1-2023:" in out
    assert "Prognosen efter vårterminen visar 80 % behöriga." in out
    assert "Extra lovskola planeras i juni." in out
    assert "1.1.2" not in out
    data = json.loads(run("-C", str(repo), "show", "1.1.1", "-f", "json").output)
    assert [h["assessment"] for h in data["targets"][0]["history"]] == [
        "delvis_uppfyllt", "ej_uppfyllt"]


def test_todo_groups_by_responsible_and_fails(repo: Path) -> None:
    result = run("-C", str(repo), "todo", "T2-2023", "--fail", columns=80)
    assert result.exit_code == 1
    assert "Rektor Nordskolan (1)" in result.output
    assert "Fritidsgården (1)" in result.output
    data = json.loads(run("-C", str(repo), "todo", "T2-2023", "-f", "json").output)
    assert data == {
        "Fritidsgården": [{"target": "1.2.1", "kind": "target", "text": "Minst tre nya aktiviteter för unga "
                           "startas under 2023.", "missing": ["comment", "assessment", "ready"]}],
        "Rektor Nordskolan": [{"target": "1.1.2", "kind": "target", "text": "Tryggheten i skolan ska öka.",
                               "missing": ["assessment", "ready"]}]}


def test_todo_passes_when_complete(repo: Path) -> None:
    result = run("-C", str(repo), "todo", "T1-2023", "--fail")
    assert result.exit_code == 1  # 1.2.1 has no assessment in T1
    goal = repo / "goals" / "1.2.yaml"
    goal.write_text(goal.read_text().replace(
        "        value: 1\n", "        value: 1\n        assessment: delvis_uppfyllt\n"
        "        ready: true\n"))
    result = run("-C", str(repo), "todo", "T1-2023", "--fail")
    assert result.exit_code == 0, result.output
    assert "Nothing missing for Tertial 1 2023." in result.output


def test_measures_table_and_json(repo: Path) -> None:
    out = run("-C", str(repo), "measures", columns=140).output
    assert "79,2\u00a0% (2022)" in out and "Riket: 83,5\u00a0% (2022)" in out
    assert "4\u00a0800\u00a0st (2022)" in out and "↘ försämrad" in out
    data = json.loads(run("-C", str(repo), "measures", "-g", "1.2", "-f", "json").output)
    assert [(m["id"], m["trend"]) for m in data] == [("1.2.m1", "worse")]


@pytest.mark.parametrize("columns", [60, 200])
def test_text_wraps_at_any_width(shipped: Path, columns: int) -> None:
    for args in (("status", "T1-2023"), ("show", "1.10"), ("measures",), ("todo", "T1-2023")):
        out = run("-C", str(shipped), *args, columns=columns).output
        assert max(len(line) for line in out.splitlines()) <= columns, args


def test_colour_on_terminal_only_and_no_color(repo: Path) -> None:
    colour = re.compile(r"\x1b\[[0-9;]*(3[0-8]|9[0-7])")
    assert colour.search(run("-C", str(repo), "status", FORCE_COLOR="1").output)
    assert not colour.search(run("-C", str(repo), "status", FORCE_COLOR="1",
                                 NO_COLOR="1").output)


def test_enriched_example_at_a_glance() -> None:
    out = run("-C", str(FIXTURES / "ange-enriched"), "status", "T1-2023").output
    # The 15 goals (none assessed itself) and the 21 rows under them, each counted once.
    assert "Utvecklingsmål  Utvecklingsmål under målen" in out
    assert "○ Ej bedömd          15 (100,0\u00a0%)                 17 (81,0\u00a0%)" in out


@pytest.mark.parametrize("columns", [80, 200])
def test_every_view_golden_at_80_and_200_columns(repo: Path, columns: int) -> None:
    """The measure's name keeps room at any width; narrow terminals fold columns under it."""
    parts = []
    for args in (("status", "T2-2023"), ("show", "1.1"), ("todo", "T2-2023"), ("measures",),
                 ("check",)):
        result = run("-C", str(repo), *args, columns=columns)
        assert max(len(line) for line in result.output.splitlines()) <= columns, args
        parts.append(f"$ malpl {' '.join(args)}\n{result.output}")
    golden(f"status-views-{columns}.txt", "\n".join(parts))


@pytest.mark.parametrize("columns", [100, 120, 160])
def test_measures_name_is_never_squeezed(shipped: Path, columns: int) -> None:
    out = run("-C", str(shipped), "measures", columns=columns).output
    name_column = out.splitlines()[1].split("┃")[2]
    assert len(name_column) >= 30, out


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_measures_trend_word_is_never_cut(columns: int) -> None:
    """Finding: at 80 columns the trend column cut its word ("↗ förbätt")."""
    statistik = Path(__file__).parent / "fixtures" / "statistik"
    out = run("-C", str(statistik), "measures", columns=columns).output
    assert "förbättrad" in out and "oförändrad" in out and "bedömas" in out


@pytest.mark.parametrize("command", [["status"], ["show", "1.3"], ["todo", "T1-2023"],
                                     ["measures"]])
def test_piped_tables_have_no_trailing_spaces(shipped: Path, command: list[str]) -> None:
    """Finding: piped into a file or another program, every table line carried the spaces
    Rich pads it with."""
    out = run("-C", str(shipped), *command, columns=120).output
    assert out.strip() and all(line == line.rstrip(" ") for line in out.splitlines())
