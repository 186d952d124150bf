"""An indicator is one row everywhere: the report's table, status, show, measures, the site;
its assessment computed by its rule (or set by hand), counted once with the rows under goals."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from docx import Document

from malpl import views
from malpl.measureviews import measure_view
from malpl.periods import Period
from malpl.report import markdown_text, write_report
from malpl.repository import load_repository
from malpl.snapshot import snapshot
from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.test_municipality import _git

T3 = Period(2023, 3, "T")
DAY = dt.date(2024, 3, 20)
ROOT = FIXTURES / "indikatorer"
GOLDEN = Path(__file__).parent / "golden" / "report-indikatorer-T3-2023.md"
#: Each indicator's name and the assessment its rule gives in T3-2023.
EXPECTED = {
    "Resultat i procent av skatter och bidrag": "uppfyllt",
    "Soliditet": "ej_uppfyllt",
    "Antal personal som en hemtjänsttagare möter under 14 dagar": "ej_uppfyllt",
    "Andel nöjda med bemötandet i särskilt boende": "ej_uppfyllt",
    "Andel elever som känner sig trygga i skolan": "ej_uppfyllt",
    "Elever i åk 9 som är behöriga till ett yrkesprogram": "uppfyllt",
    "Sjukfrånvaro": "ej_uppfyllt",
}


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "ind"
    shutil.copytree(ROOT, root)
    return root


def test_every_indicator_is_one_row_assessed_by_its_rule() -> None:
    snap = snapshot(load_repository(ROOT), T3)
    rows = [r for r in snap.rows if r.kind == "indicator"]
    assert {r.text: r.assessment.key for r in rows} == EXPECTED
    assert all(r.assessed_by == "rule" and r.basis for r in rows)
    counted = [c for c in snap.counted if c.kind == "indicator"]
    assert len(counted) == len(EXPECTED)
    summary = next(s for s in snap.summaries if s.level == views.TARGET_LEVEL)
    assert (summary.label, summary.total, summary.assessed) == ("Indikator", 7, 7)
    assert not snap.todo()  # every indicator has its comment; the rule gives the assessment


def test_the_row_says_which_rule_and_value_made_the_assessment() -> None:
    rows = {r.id: r for r in snapshot(load_repository(ROOT), T3).rows}
    average = rows["1.1.i1"]
    assert average.target == "i snitt över 2\u00a0% under tre år"
    assert average.assessed_text == "Bedömning utifrån 2,43\u00a0% (snitt 2021–2023, 3 värden)"
    assert rows["3.2.i1"].value_text == "6,5\u00a0% av arbetstid (kvinnor 7,6, män 4,0)"
    assert rows["2.1.i2"].lines[0] == "2021: saknas (Enkäten gjordes inte under pandemin.)"
    assert "Riket 84,9\u00a0%" in rows["3.1.i2"].basis  # reach Riket, on the pulled file


def test_a_survey_every_second_year_has_a_trend_across_the_gap() -> None:
    repo = load_repository(ROOT)
    goal = repo.goal("3.1")
    assert goal is not None
    view = measure_view(repo.config, goal, goal.measures[0], T3)
    assert (view.trend, view.trend_reason) == ("better", "")
    yearly = goal.measures[0].__class__(**{**{f: getattr(goal.measures[0], f) for f in
                                              goal.measures[0].__struct_fields__},
                                           "interval": 1})
    assert measure_view(repo.config, goal, yearly, T3).trend_reason == "gap"


def test_a_hand_set_assessment_wins_and_says_so(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "goals" / "kf" / "1.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "        comment: Investeringarna", "        assessment: delvis_uppfyllt\n"
        "        comment: Investeringarna"), encoding="utf-8")
    row = next(r for r in snapshot(load_repository(root), T3).rows if r.id == "1.1.i2")
    assert (row.assessment.key, row.assessed_by) == ("delvis_uppfyllt", "hand")
    assert row.assessed_text == "Bedömd för hand (utfall 38,1\u00a0% (2023))"


def test_an_indicator_without_a_value_asks_for_an_assessment(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "goals" / "kf" / "3.2.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('values: {"2021": 6.8, "2022": 7.1, "2023": 6.5}',
                                 "values: {}"), encoding="utf-8")
    todo = snapshot(load_repository(root), T3).todo()
    assert [(i.target.id, i.missing) for items in todo.values() for i in items] == [
        ("3.2.i1", ["assessment"])]


def test_report_golden_one_table_row_per_indicator() -> None:
    markdown = markdown_text(load_repository(ROOT), T3, today=DAY, image_dir="bilder")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(markdown, encoding="utf-8")
    assert markdown == GOLDEN.read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| **")]
    assert len(table) == len(EXPECTED)
    assert not [line for line in markdown.splitlines() if line.startswith("| |")]
    assert "| Indikator | Kommentar | Mått |" in markdown
    survey = next(line for line in table if "trygga i skolan" in line)
    assert "2019: 71\u00a0%<br>2021: 74\u00a0%<br>2023: 76\u00a0%<br>Trend: förbättrad" in survey


def test_docx_reads_one_row_per_indicator_with_no_empty_cell(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    document = Document(str(write_report(load_repository(root), T3, "docx", today=DAY)))
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows
            if row.cells[0].text != "Indikator"]
    found = [r for r in rows if any(r[0].startswith(name) for name in EXPECTED)]
    assert len(found) == len(EXPECTED)
    assert all(cell.strip() for r in found for cell in r)
    sick = next(r for r in found if r[0].startswith("Sjukfrånvaro"))
    assert "Ej uppfyllt" in sick[0] and "Mål: högst 6" in sick[0]
    assert "kvinnor 7,6, män 4,0" in sick[2]


def test_status_show_measures_and_site_show_the_same_assessments(tmp_path: Path) -> None:
    env = {"MALPL_LANG": "en", "COLUMNS": "200"}
    status = invoke(["-C", str(ROOT), "status", "T3-2023"], env=env)
    assert status.exit_code == 0, status.output
    line = next(x for x in status.output.splitlines() if "Soliditet" in x)
    assert "Ej uppfyllt" in line
    show = invoke(["-C", str(ROOT), "show", "1.1.i1"], env=env)
    assert "computed from 2,43\u00a0% (snitt 2021–2023, 3 värden)" in show.output
    assert "● Uppfyllt" in show.output
    measures = invoke(["-C", str(ROOT), "measures", "-p", "T3-2023", "-f", "json"], env=env)
    found = {m["name"]: m["indicator"] for m in json.loads(measures.output)}
    assert {name: i["assessment"]["key"] for name, i in found.items()} == EXPECTED
    assert found["Soliditet"]["rule"] == "över 40\u00a0%"
    assert found["Soliditet"]["basis"] == "38,1\u00a0% (2023)"
    site = invoke(["-C", str(ROOT), "site", "T3-2023", "--draft", "-o",
                   str(tmp_path / "site")], env=env)
    assert site.exit_code == 0, site.output
    page = (tmp_path / "site" / "T3-2023" / "mal" / "1.1.html").read_text(encoding="utf-8")
    assert "<h2>Indikator</h2>" in page
    assert "Bedömning utifrån 2,43\u00a0% (snitt 2021–2023, 3 värden)" in page


def test_show_and_status_in_swedish(monkeypatch) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    show = invoke(["-C", str(ROOT), "show", "3.2.i1"], env={"COLUMNS": "200"})
    assert "beräknad utifrån 6,5\u00a0% av arbetstid (2023)" in show.output


def test_period_open_gives_an_indicator_no_assessment_to_fill_in(tmp_path: Path) -> None:
    from malpl.lifecycle.period import open_period

    opened = open_period(load_repository(ROOT), Period(2024, 1, "T"))
    assert "goals/kf/3.2.yaml: 3.2" not in opened.places  # summarised by its indicator
    assert "goals/kf/3.2.yaml: 3.2.i1" in opened.places


def test_diff_shows_a_flipped_computed_assessment_as_an_assessment_change(tmp_path) -> None:
    """A value in a goal file or a figure in data/kolada/ that flips what the rule gives is
    a change of the indicator's assessment, though no assessment was written."""
    root = tmp_path / "ind"
    shutil.copytree(FIXTURES / "indikatorer", root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "T3")
    goal = root / "goals" / "kf" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace('"2023": 38.1', '"2023": 41.0'),
                    encoding="utf-8")
    pulled = root / "data" / "kolada" / "N15419.yaml"
    pulled.write_text(pulled.read_text(encoding="utf-8").replace("      '2023': 84.9",
                                                                 "      '2023': 86.9"),
                      encoding="utf-8")
    result = invoke(["-C", str(root), "diff", "--format", "json"])
    assert result.exit_code == 0, result.output
    assessed = [(c["id"], c["period"], c["old"], c["new"]) for c in json.loads(result.stdout)[
        "changes"] if c["field"] == "assessment"]
    assert ("1.1.i2", "T3-2023", "ej_uppfyllt", "uppfyllt") in assessed
    assert ("3.1.i2", "T3-2023", "uppfyllt", "ej_uppfyllt") in assessed  # Riket rose
    text = invoke(["-C", str(root), "diff"]).output
    assert "measure 1.1.i2 T3-2023 assessment: from Ej uppfyllt" in text
