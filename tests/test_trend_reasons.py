"""Where a measure has no trend, every output says why: too few values, no direction, a
series break, a year against a period, a gap (judged yearly unless a series says
otherwise). Finding: 7,6 (2023) and 8,1 (T1-2024) gave an empty trend cell in
`measures`, `show`, the report and the site, with no word why."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from malpl import svgchart
from malpl.measureviews import MeasureView, missing_between
from malpl.periods import Period, parse_period, parse_point
from malpl.report import markdown_text
from malpl.report.context import chart_alt, chart_caption
from malpl.repository import load_repository
from malpl.site import render_site
from malpl.views import measure_views
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

TRENDER = FIXTURES / "trender"
GOLDEN = Path(__file__).parent / "golden" / "report-trender-T1-2024.md"
T1_2024 = parse_period("T1-2024", "tertial")

#: Each measure of the fixture: its trend, why it has none, and the words readers see.
EXPECTED = {
    "MO1.m1": ("", "kinds", "Ingen trend: olika slags perioder"),  # 2023 → T1-2024
    "MO1.m2": ("", "gap", "Ingen trend: värde saknas 2022"),
    "MO1.m3": ("", "gap", "Ingen trend: värden saknas 2019–2021"),
    "MO2.m1": ("", "break", "Ingen trend: serien bryts 2023"),
    "MO2.m2": ("", "too_few", "Ingen trend: bara ett värde"),
    "MO10.m1": ("", "no_direction", "Ingen trend: okänt om högre är bättre"),
    "MO10.m2": ("better", "", "förbättrad"),  # T1-2023 → T1-2024: a year on, no gap
    "MO10.m3": ("", "", ""),  # no value: nothing to say of a trend
}


def views_by_id() -> dict[str, MeasureView]:
    return {m.id: m for m in measure_views(load_repository(TRENDER), period=T1_2024)}


def test_every_measure_has_a_trend_or_a_reason() -> None:
    found = {ident: (m.trend, m.trend_reason, m.trend_text) for ident, m in views_by_id().items()}
    assert found == EXPECTED


def test_the_statistics_fixture_says_why_too() -> None:
    """2015 follows a missing value and a break: the break is said, more values would
    not mend it; 2016 → 2021 is a gap of four years."""
    repo = load_repository(FIXTURES / "statistik")

    def text(period: str) -> str:
        chosen = parse_period(period, "tertial")
        return next(m for m in measure_views(repo, period=chosen) if m.id == "M1.m1").trend_text

    assert text("T3-2015") == "Ingen trend: serien bryts 2015"
    assert text("T3-2021") == "Ingen trend: värden saknas 2017–2020"
    assert text("T3-2016") == "förbättrad"


@pytest.mark.parametrize("before, last, frequency, missing", [
    ("2018", "2022", "yearly", ["2019", "2020", "2021"]),
    ("2022", "2023", "yearly", []),
    ("T1-2023", "T1-2024", "yearly", []),
    ("T3-2022", "T1-2024", "yearly", ["2023"]),
    ("T1-2023", "T3-2023", "yearly", []),
    ("T1-2023", "T1-2024", "periodic", ["T2-2023", "T3-2023"]),
    ("T3-2023", "T1-2024", "periodic", []),
    ("2021", "2023", "periodic", ["2022"]),  # years are counted in years
])
def test_a_gap_is_judged_against_the_series_frequency(before: str, last: str, frequency,
                                                       missing: list[str]) -> None:
    found = missing_between(parse_point(before, "tertial"), parse_point(last, "tertial"),
                            "tertial", frequency)
    assert [str(p) for p in found] == missing


def test_periodic_frequency_counts_quarters_too() -> None:
    found = missing_between(Period(2023, 3, "K"), Period(2024, 2, "K"), "kvartal", "periodic")
    assert [str(p) for p in found] == ["K4-2023", "K1-2024"]


def run(*args: str, columns: int = 100):
    result = invoke(["-C", str(TRENDER), *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("columns", [80, 160])
def test_measures_table_says_why(columns: int) -> None:
    """The trend column, its wrapped lines joined, holds every reason whole."""
    table = run("measures", "-p", "T1-2024", columns=columns)
    column = " ".join(cell for line in table.splitlines() if line.count("│") > 2
                      if (cell := line.split("│")[-2].strip()))
    for _, reason, words in EXPECTED.values():
        if reason:
            assert words in column, (words, table)


def test_measures_json_carries_the_reason() -> None:
    data = {m["id"]: m for m in json.loads(run("measures", "-p", "T1-2024", "--format", "json"))}
    assert {i: (m["trend"], m["trend_reason"], m["trend_text"]) for i, m in data.items()} == EXPECTED
    assert data["MO1.m2"]["trend_reason_text"] == "värde saknas 2022"


def test_show_says_why() -> None:
    out = run("show", "MO1", "-p", "T1-2024")
    assert "8,1 (T1-2024)" in out or "T1-2024: 8,1" in out
    assert "Ingen trend: olika slags perioder" in out
    assert "Ingen trend: värde saknas 2022" in out


def test_report_says_why_in_the_cell_and_the_charts_alt_text() -> None:
    text = markdown_text(load_repository(TRENDER), T1_2024, today=dt.date(2024, 5, 20),
                         image_dir="bilder")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    for ident, (_, reason, words) in EXPECTED.items():
        if reason:
            assert f"<br>{words}" in text, ident
    assert "Trend: förbättrad" in text
    assert "Ingen trend: värde saknas 2022." in text  # the chart's alt text


def test_chart_and_alt_text_say_why() -> None:
    view = views_by_id()["MO1.m2"]
    chart = str(svgchart.measure_chart(view, "c", chart_caption(view)))
    assert 'class="note trend">Ingen trend: värde saknas 2022</text>' in chart
    assert chart_alt(view).endswith("Ingen trend: värde saknas 2022.")


def test_site_goal_page_says_why() -> None:
    files = render_site(load_repository(TRENDER), T1_2024, draft=True)
    page = next(data.decode() for path, data in files.items()
                if path.endswith(".html") and "Nöjdhet med servicen" in data.decode())
    assert "<dt>Trend</dt><dd>Ingen trend: olika slags perioder</dd>" in page
    assert "<dt>Trend</dt><dd>Ingen trend: värde saknas 2022</dd>" in page
