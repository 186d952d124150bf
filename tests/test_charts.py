"""Charts in a DOCX: the very SVG charts of the HTML report (tests/test_svgchart.py holds
what they show), drawn as PNG at print resolution, the same bytes for the same data, and
laid out before they are drawn."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from malpl import charts, svgchart, views
from malpl.measureviews import Marker, MeasureView, Point, ReferenceView
from malpl.periods import Period
from malpl.repository import load_repository
from malpl.snapshot import snapshot

STATISTIK = Path(__file__).parent / "fixtures" / "statistik"


def _views(root: Path, period: Period | None = None) -> list[views.MeasureView]:
    period = period or Period(2023, 2, "T")
    repo = load_repository(root)
    return [m for m in views.measure_views(repo, repo.goals, period) if len(m.series) >= 2]


def _hostile() -> MeasureView:
    """Values below zero, a long title, control and direction characters, TeX and markup."""
    return MeasureView(
        "1", "n", "Resultat $x$ \x1b[31m<b>röd</b>\u202e " + "lång titel " * 12, "mnkr", "higher",
        "", series=[Point(str(y), v, "", (y, 99)) for y, v in [(2019, -5.0), (2020, 3.0),
                                                               (2021, -1.5)]],
        references=[ReferenceView("_dold & $\\frac{1}{$\n\tny rad",
                                  [Point("2019", 1.0, "", (2019, 99))])],
        target_value=2.0, target_kind="floor", breaks=[Marker("2021", "ny metod")])


def _pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_docx_chart_is_the_html_chart_at_200_dpi(repo: Path) -> None:
    view = _views(repo)[0]
    svg = charts.measure_svg(view)
    assert svg == str(svgchart.measure_chart(view, "c", view.name, "", styled=True))
    png = charts.png(svg)
    picture = Image.open(io.BytesIO(png))
    assert picture.size[0] == 1200 and picture.mode == "RGB"  # 6 in at 200 dpi
    assert picture.info["dpi"] == pytest.approx((200, 200), abs=0.01)


def test_png_size_is_known_before_drawing_for_every_kind_of_chart(repo: Path) -> None:
    """Long headings, broken axes, legends in rows: the size the layout is given is the
    size drawn."""
    found = [*_views(repo), *_views(STATISTIK, Period(2024, 3, "T")), _hostile()]
    heights = set()
    for view in found:
        svg = charts.measure_svg(view)
        png = charts.png(svg)
        assert struct.unpack(">II", png[16:24]) == charts.size(svg), view.name
        heights.add(charts.size(svg)[1])
    assert len(heights) > 1  # the charts are not all of one size: each is laid out as itself


def test_same_chart_same_bytes() -> None:
    svg = charts.measure_svg(_hostile())
    assert charts.png(svg) == charts.png(svg)


def test_png_draws_the_series_target_and_reference_in_their_colours() -> None:
    picture = _pixels(charts.png(charts.measure_svg(_hostile())))
    colours = {c for _n, c in picture.getcolors(1 << 20)}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    for colour in (svgchart.SERIES_COLOR, svgchart.TARGET_COLOR, svgchart.REFERENCE_COLORS[0]):
        assert rgb(colour) in colours, colour


def test_png_text_is_the_visible_text_of_the_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text drawn is plain: control and direction characters shown, markup and TeX
    as typed, a line break a space (as SVG shows it)."""
    drawn: list[str] = []
    real = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        drawn.append(text)
        return real(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    charts.png(charts.measure_svg(_hostile()))
    joined = " | ".join(drawn)
    assert "␛[31m<b>röd</b><U+202E>" in joined
    assert "_dold & $\\frac{1}{$ ny rad" in joined
    assert not any(c in joined for c in "\x1b\u202e\n\t")
    assert "Serien bryts" in joined and "Axeln" not in joined


def test_text_styles_of_the_png_are_the_svg_stylesheet() -> None:
    style = svgchart._STYLE
    for name, (size, bold, colour) in svgchart.TEXT_STYLES.items():
        rule = "".join(re.findall(rf"[^}}]*\.{name}\b[^{{]*{{([^}}]*)}}", style))
        assert f"font-size:{size}px" in rule, name
        assert ("font-weight:bold" in rule) == bold, name
        if colour:
            assert rule.rsplit("fill:", 1)[1].startswith(colour), name
    assert f"stroke:{svgchart.GRID[0]};stroke-width:{svgchart.GRID[1]}" in style


def test_summary_png_is_the_website_bar(repo: Path) -> None:
    rows = snapshot(load_repository(repo), Period(2023, 2, "T")).headline.steps
    svg = charts.summary_svg(rows, "Mål", "Måluppfyllelse")
    assert "<rect" in svg and charts.size(svg)[0] == 1200
    assert _pixels(charts.png(svg)).getcolors(1 << 20)


def test_a_report_does_not_import_matplotlib_and_without_charts_not_pillow(
        shipped: Path, tmp_path: Path) -> None:
    """The shipped example (no summary, no series of two points) renders without loading
    Pillow or the chart code; no report loads matplotlib."""
    import subprocess
    import sys

    code = ("import sys, datetime as dt; from pathlib import Path;"
            "from malpl.repository import load_repository; from malpl.report import write_report;"
            "from malpl.periods import Period;"
            f"write_report(load_repository(Path({str(shipped)!r})), Period(2023, 1, 'T'), 'docx',"
            " today=dt.date(2023, 5, 15)); print('PIL' in sys.modules or 'malpl.charts' in sys.modules);"
            f"write_report(load_repository(Path({str(STATISTIK)!r})), Period(2024, 2, 'T'),"
            f" 'docx', Path({str(tmp_path / 's.docx')!r}), today=dt.date(2024, 9, 1));"
            "print('matplotlib' in sys.modules, 'PIL' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False", "True"]


def test_docx_holds_the_drawn_charts_laid_out_at_their_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandoc lays the document out around blank placeholders while the charts are drawn;
    the DOCX that comes out holds the charts themselves, laid out as when pandoc is
    given the charts."""
    import datetime as dt
    import zipfile

    from malpl.report import export, render_markdown_report

    repo = load_repository(STATISTIK)
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
    drawn = {charts.png(charts.measure_svg(v))
             for v in views.measure_views(repo, repo.goals, period) if len(v.series) >= 2}
    assert len(drawn) >= 3
    assert drawn <= media and len(media - drawn) == 1  # and the summary chart
    with zipfile.ZipFile(tmp_path / "r.docx") as z:  # a drawn PNG is not deflated again
        stored = {z.read(i) for i in z.infolist() if i.compress_type == zipfile.ZIP_STORED}
    assert drawn <= stored
    assert media == media_given
    extent = re.compile(r'<wp:extent cx="\d+" cy="\d+"')
    assert extent.findall(document) == extent.findall(document_given)


def test_placeholder_is_laid_out_like_its_chart(repo: Path) -> None:
    from malpl.report.render import placeholder, same_layout

    svg = charts.measure_svg(_views(repo)[0])
    chart = charts.png(svg)
    blank = placeholder(*charts.size(svg), 7)
    assert same_layout(blank, chart)
    assert blank != placeholder(*charts.size(svg), 8)  # told apart, so pandoc keeps each
    assert len(blank) < 1000
