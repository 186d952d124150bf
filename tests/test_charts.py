"""Measure charts a reader understands: title and unit, Swedish period names, an honest
y-axis, the target drawn as what it is, the trend visible, print resolution."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from malpl import views
from malpl.charts import measure_chart, measure_figure, period_tick, segments
from malpl.measureviews import MeasureView, Point
from malpl.periods import Period
from malpl.repository import load_repository


def _views(root: Path) -> list[views.MeasureView]:
    repo = load_repository(root)
    return [m for m in views.measure_views(repo, repo.goals, Period(2023, 2, "T"))
            if len(m.series) >= 2]


def test_period_ticks_are_swedish_names() -> None:
    assert period_tick("T2-2023") == "Tertial 2\n2023"
    assert period_tick("K4-2022") == "Kvartal 4\n2022"
    assert period_tick("2022") == "2022"


def test_measure_chart_has_title_unit_zero_axis_target_and_trend(repo: Path) -> None:
    view = next(v for v in _views(repo) if v.unit == "%" and v.target_value is not None)
    fig = measure_figure(view)
    ax = fig.axes[0]
    assert fig._suptitle.get_text() == view.name
    assert ax.get_ylabel() == "%"
    assert ax.get_ylim()[0] == 0  # a share starts at zero
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("Mål: minst") for t in legend)
    assert view.trend_label and ax.get_title(loc="right") == f"Trend: {view.trend_label}"


def test_target_following_a_reference_is_that_series_not_a_flat_line(repo: Path) -> None:
    view = next(v for v in _views(repo) if v.references)
    view.target_reference = view.references[0].label
    legend = [t.get_text() for t in measure_figure(view).axes[0].get_legend().get_texts()]
    assert f"{view.references[0].label} (mål)" in legend
    assert not any(t.startswith("Mål:") for t in legend)


def test_chart_png_is_print_resolution(repo: Path) -> None:
    png = measure_chart(_views(repo)[0])
    width = struct.unpack(">I", png[16:20])[0]
    assert width >= 1200  # 6 in at 200 dpi


def test_a_report_without_charts_does_not_import_matplotlib(shipped: Path) -> None:
    """The shipped example (no summary, no series of two points) renders without the
    345 ms matplotlib import."""
    import subprocess
    import sys

    code = ("import sys, datetime as dt; from pathlib import Path;"
            "from malpl.repository import load_repository; from malpl.report import write_report;"
            "from malpl.periods import Period;"
            f"write_report(load_repository(Path({str(shipped)!r})), Period(2023, 1, 'T'), 'docx',"
            " today=dt.date(2023, 5, 15));"
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_svg_legend_cut_never_splits_an_entity() -> None:
    """A long legend label is cut before it is escaped: the chart stays well-formed XML,
    which a chart shown as a picture (``data:image/svg+xml``) must be."""
    from xml.etree import ElementTree

    from malpl.svgchart import Line, line_chart

    label = "x" * 46 + "&<tail"
    chart = str(line_chart("a", "t", "d", ["1", "2"], Line("Utfall", [("1", 1), ("2", 2)]),
                           [Line(label, [("1", 1), ("2", 3)])]))
    texts = [e.text for e in ElementTree.fromstring(chart).iter() if e.text]
    assert "x" * 46 + "&<" in texts and "&am" not in chart.replace("&amp;", "")


def test_svg_picture_carries_its_own_style_and_the_data(repo: Path) -> None:
    from xml.etree import ElementTree

    from malpl.svgchart import picture

    view = _views(repo)[0]
    tree = ElementTree.fromstring(picture(view, "matt-1", "Linjediagram med data"))
    names = [e.tag.rsplit("}", 1)[-1] for e in tree.iter()]
    assert "style" in names and "script" not in names
    assert tree.find("{http://www.w3.org/2000/svg}desc").text == "Linjediagram med data"


def test_series_line_is_broken_at_gaps_and_at_a_series_break() -> None:
    """2014 is missing, 2017–2020 were not measured, and the series breaks in 2015: the
    line never runs across them, the missing year keeps its place on the axis, and the
    break is drawn and named where it falls."""
    root = Path(__file__).parent / "fixtures" / "statistik"
    repo = load_repository(root)
    view = next(m for m in views.measure_views(repo, repo.goals, Period(2024, 3, "T"))
                if m.id == "M1.m1")
    ax = measure_figure(view).axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "2014" in ticks
    x = {i: key for i, key in enumerate(ticks)}
    lines = [[x[int(i)] for i in line.get_xdata()] for line in ax.get_lines()
             if line.get_color() == "#1f4e79"]
    assert lines == [["2012", "2013"], ["2015", "2016"], ["2021", "2022", "2023", "2024"]]
    cut = ticks.index("2015") - 0.5
    assert any(list(line.get_xdata()) == [cut, cut] for line in ax.get_lines())
    assert "Serieavbrott" in [t.get_text().strip() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend.count("Utfall") == 1


def test_consecutive_periods_across_a_year_are_one_line() -> None:
    points = [Point(k, 1.0, "", order) for k, order in
              (("T2-2023", (2023, 2)), ("T3-2023", (2023, 3)), ("T1-2024", (2024, 1)))]
    assert segments(points) == [points]
    assert segments(points, ["T1-2024"]) == [points[:2], points[2:]]


def test_docx_holds_the_drawn_charts_laid_out_at_their_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandoc lays the document out around blank placeholders while the charts are drawn;
    the DOCX that comes out holds the charts themselves, laid out as when pandoc is
    given the charts."""
    import datetime as dt
    import re
    import zipfile

    from malpl.report import export, render_markdown_report

    root = Path(__file__).parent / "fixtures" / "statistik"
    repo = load_repository(root)
    period = Period(2024, 2, "T")

    def docx(name: str) -> tuple[set[bytes], str]:
        out = export.write_report(repo, period, "docx", tmp_path / name, today=dt.date(2024, 9, 1))
        with zipfile.ZipFile(out) as z:
            return ({z.read(n) for n in z.namelist() if n.startswith("word/media/")},
                    z.read("word/document.xml").decode())

    media, document = docx("r.docx")
    monkeypatch.setattr(export, "render_markdown_report",
                        lambda *a, **k: render_markdown_report(*a, **{**k, "deferred": False}))
    media_given, document_given = docx("given.docx")
    drawn = {measure_chart(v) for v in views.measure_views(repo, repo.goals, period)
             if len(v.series) >= 2}
    assert len(drawn) >= 3
    assert drawn <= media and len(media - drawn) == 1  # and the summary chart
    assert media == media_given
    extent = re.compile(r'<wp:extent cx="\d+" cy="\d+"')
    assert extent.findall(document) == extent.findall(document_given)


def test_placeholder_is_laid_out_like_its_chart(repo: Path) -> None:
    from malpl.report.render import placeholder, same_layout

    chart = measure_chart(_views(repo)[0])
    blank = placeholder(chart, 7)
    assert same_layout(blank, chart)
    assert blank != placeholder(chart, 8)  # told apart, so pandoc keeps each
    assert len(blank) < 1000


def test_reused_figure_draws_each_chart_as_a_new_figure_would(repo: Path) -> None:
    """measure_chart draws on one figure it keeps; whatever came before, each picture is
    byte for byte the one a new figure gives: with and without a trend, unit, target,
    references, gaps and breaks, values below zero and a long title."""
    from malpl.charts import _png

    statistik = load_repository(Path(__file__).parent / "fixtures" / "statistik")
    below = MeasureView("1", "n", "Resultat $x$ " + "lång titel " * 12, "mnkr", "higher", "",
                        series=[Point(str(y), v, "", (y, 99))
                                for y, v in [(2019, -5.0), (2020, 3.0), (2021, -1.5)]],
                        target_value=2.0, target_kind="floor")
    charts = [*_views(repo), below,
              *views.measure_views(statistik, statistik.goals, Period(2024, 2, "T")), below]
    assert len(charts) >= 6
    for view in charts + charts[::-1]:
        fresh = _png(measure_figure(view), left=0.11, bottom=0.2, top=0.84)
        assert measure_chart(view) == fresh, view.name


def test_a_year_without_a_value_keeps_its_place_and_parts_the_line() -> None:
    """2021 and 2023 measured, 2022 not even listed: the axis still has 2022, and the
    two values are not joined as if they were a year apart."""
    root = Path(__file__).parent / "fixtures" / "statistik"
    repo = load_repository(root)
    view = next(m for m in views.measure_views(repo, repo.goals, Period(2024, 2, "T"))
                if m.id == "M1.m3")
    ax = measure_figure(view).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023"]
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[0], [2]]
