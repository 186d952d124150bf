"""The SVG measure chart a reader understands (HTML report and website): title and unit,
Swedish periods, an honest y axis, the target as what it is, the trend, lines broken at
gaps and breaks; a short visible caption and the full data once, in every format."""

from __future__ import annotations

import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from malpl import svgchart
from malpl.lifecycle.init import Settings, config_text
from malpl.measureviews import Marker, MeasureView, Point, ReferenceView
from malpl.model import Config, convert
from malpl.periods import parse_point
from malpl.report import write_report
from malpl.report.context import chart_alt, chart_caption
from malpl.repository import load_repository
from malpl.site import render_site
from malpl.views import measure_views, resolve_period

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SVG = "{http://www.w3.org/2000/svg}"


def point(key: str, value: float, unit: str = "%") -> Point:
    return Point(key, value, f"{value} {unit}", parse_point(key, "tertial").sort_key)


def view(values: dict[str, float], unit: str = "%", **fields) -> MeasureView:
    found = MeasureView("1", "m1", "Andel nöjda", unit, "higher", "enkät",
                        series=[point(k, v, unit) for k, v in values.items()], **fields)
    found.latest = found.series[-1]
    return found


def tree(chart) -> ElementTree.Element:
    return ElementTree.fromstring(str(chart))


def classed(root: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ElementTree.Element) -> list[str]:
    return [e.text for e in root.iter(f"{SVG}text") if e.text]


def draw(measure: MeasureView) -> ElementTree.Element:
    return tree(svgchart.measure_chart(measure, "c", chart_caption(measure)))


def y_of_value(root: ElementTree.Element, value: float) -> float:
    """Where the y axis puts ``value``, read from its first two tick labels."""
    ticks = [(float(e.text.replace("\u2212", "-")), float(e.get("y")) - 4)
             for e in classed(root, "tick") if e.get("text-anchor") == "end"]
    (v0, y0), (v1, y1) = ticks[:2]
    return y0 + (value - v0) * (y1 - y0) / (v1 - v0)


def test_svg_chart_has_a_title_unit_swedish_periods_and_the_trend() -> None:
    measure = view({"T1-2023": 70, "T2-2023": 74, "T3-2023": 78}, trend="better")
    root = draw(measure)
    assert [e.text for e in classed(root, "heading")] == ["Andel nöjda"]
    assert [e.text for e in classed(root, "unit")] == ["%"]
    assert {"Tertial 1", "Tertial 3", "2023"} <= set(texts(root)) and "T1-2023" not in texts(root)
    assert [e.text for e in classed(root, "trend")] == ["Trend: förbättrad"]
    assert root.find(f"{SVG}title").text == "Andel nöjda tertial 1–3 2023"


def test_svg_floor_target_is_a_line_at_its_value_labelled_minst() -> None:
    measure = view({"2021": 70, "2022": 74}, target="minst 80 %", target_value=80,
                   target_kind="floor")
    root = draw(measure)
    [line] = classed(root, "target")
    assert "Mål: minst 80\u00a0%" in texts(root)
    assert float(line.get("y1")) == pytest.approx(y_of_value(root, 80), abs=0.2)
    assert next(e.text for e in classed(root, "tick")) == "0"  # a share's axis starts at zero
    assert not classed(root, "axis-break")


def test_svg_ceiling_target_is_labelled_hogst() -> None:
    measure = view({"2021": 7, "2022": 6}, target="högst 5 %", target_value=5,
                   target_kind="ceiling")
    root = draw(measure)
    assert len(classed(root, "target")) == 1 and "Mål: högst 5\u00a0%" in texts(root)


def test_svg_target_that_follows_a_reference_is_that_series_not_a_flat_line() -> None:
    """'Snitt för alla kommuner' is a series: it is drawn as the target, with no invented
    line at its latest value."""
    riket = ReferenceView("Alla kommuner", [point("2021", 80), point("2022", 83.2)])
    other = ReferenceView("Länet", [point("2021", 75), point("2022", 76)])
    measure = view({"2021": 70, "2022": 74}, references=[riket, other],
                   target="minst alla kommuner", target_value=83.2, target_kind="floor",
                   target_reference="Alla kommuner")
    root = draw(measure)
    assert not classed(root, "target")
    [emphasised] = classed(root, "target-ref")
    assert emphasised.get("stroke") == svgchart.TARGET_COLOR and emphasised.get("stroke-width") == "3"
    assert len(classed(root, "ref")) == 2
    assert "Alla kommuner (mål)" in texts(root) and "Länet" in texts(root)


def test_svg_series_is_broken_at_a_gap_and_at_a_marked_break() -> None:
    """2014 is missing and 2015 starts a new series; 2016 → 2021 is a gap. Four runs, each
    its own line, the break marked and the missing year said."""
    measure = view({"2012": 31, "2013": 29.5, "2015": 24, "2016": 23.2, "2021": 19,
                    "2022": 18.8}, unit="µg/m³",
                   missing=[Marker("2014", "flyttad")], breaks=[Marker("2015", "ny station")])
    root = draw(measure)
    runs = [len(p.get("points").split()) for p in classed(root, "series")]
    assert runs == [2, 2, 2]  # 2012–13, 2015–16, 2021–22: nothing drawn across 2014 or 2017–20
    assert len(classed(root, "break")) == 1 and "Serien bryts" in texts(root)
    assert [e.text for e in classed(root, "missing")] == ["saknas"]
    assert "2014" in texts(root)


def test_svg_break_alone_cuts_a_line_between_neighbouring_years() -> None:
    measure = view({"2021": 5, "2022": 6, "2023": 7}, breaks=[Marker("2022", "ny metod")])
    runs = [len(p.get("points").split()) for p in classed(draw(measure), "series")]
    assert runs == [2]  # 2022–2023 joined; 2021 stands alone as a dot


def test_svg_axis_that_cannot_start_at_zero_is_marked() -> None:
    """An index that varies little would be a flat line from zero: the axis is zoomed,
    and says so with a break mark and a note."""
    measure = view({"2021": 62, "2023": 65}, unit="")
    root = draw(measure)
    assert classed(root, "axis-break") and "Axeln börjar inte vid noll." in texts(root)
    assert "0" not in [e.text for e in classed(root, "tick")]
    counts = draw(view({"2021": 620, "2023": 650}, unit="st"))  # a count starts at zero
    assert not classed(counts, "axis-break") and "0" in [e.text for e in classed(counts, "tick")]


def test_svg_negative_values_keep_zero_on_the_axis() -> None:
    root = draw(view({"2021": -12, "2022": -4}, unit="personer"))
    labels = [e.text for e in classed(root, "tick")]
    assert "0" in labels and "−12" not in labels and not classed(root, "axis-break")


def test_svg_bar_chart_labels_each_segment_with_its_symbol_and_count() -> None:
    """Grey print: a white gap, the step's symbol and count in each segment, a legend."""
    root = tree(svgchart.bar_chart("s", "Måluppfyllelse", "", [("Mål", [
        svgchart.Segment("Uppfyllt", 6, "#2e7d32", "●"),
        svgchart.Segment("Delvis uppfyllt", 3, "#c77700", "▲"),
        svgchart.Segment("Ej uppfyllt", 1, "#c62828", "■")])]))
    shown = texts(root)
    assert {"● 6", "▲ 3", "■ 1", "● Uppfyllt", "▲ Delvis uppfyllt", "■ Ej uppfyllt"} <= set(shown)
    inks = {e.text: e.get("fill") for e in root.iter(f"{SVG}text")}
    assert inks["● 6"] == "#ffffff" and inks["▲ 3"] == "#1a1a1a"  # 4.5:1 on its fill
    assert root.find(f"{SVG}desc") is None


def _contrast(color: str) -> float:
    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_new_repository_scale_has_a_symbol_per_step_and_3_to_1_contrast() -> None:
    """A new repository's marks are told apart in grey print and without colour vision:
    each step its own symbol (and none the ○ of 'Ej bedömd'), each colour 3:1 on white."""
    import yaml

    text = config_text(Settings(name="Testkommun"))
    scale = convert(Config, yaml.safe_load(text)).scale
    symbols = [s.symbol for s in scale]
    assert len(set(symbols)) == len(symbols) == 4 and "○" not in symbols
    assert all(_contrast(s.color) >= 3 for s in scale)


# --- captions: short and visible; the full data once, as alt text -----------------------


@pytest.fixture
def statistik(tmp_path: Path) -> Path:
    target = tmp_path / "statistik"
    shutil.copytree(FIXTURES / "statistik", target)
    return target


class Figures(HTMLParser):
    """Each <img>'s attributes and each <figcaption>'s text and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.captions: list[tuple[dict[str, str], str]] = []
        self._caption: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        if tag == "figcaption":
            self._caption = dict(attrs)
            self.captions.append((self._caption, ""))

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            attrs, text = self.captions[-1]
            self.captions[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._caption = None


def _measures(root: Path, period: str) -> list[MeasureView]:
    repo = load_repository(root)
    found = measure_views(repo, None, resolve_period(repo, period))
    return [m for m in found if len(m.series) >= 2]


def test_html_report_chart_caption_is_short_and_alt_is_the_full_data_once(
        statistik: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    write_report(load_repository(statistik), resolve_period(load_repository(statistik), "T2-2024"),
                 "html", out)
    html = out.read_text(encoding="utf-8")
    figures = Figures()
    figures.feed(html)
    charts = [i for i in figures.images if i["src"].startswith("data:image/svg+xml")
              and i["alt"].startswith("Linjediagram")]  # the summary is a bar chart
    measures = _measures(statistik, "T2-2024")
    def spoken(text: str) -> str:  # a no-break space is a space in alt text
        return text.replace("\u00a0", " ")

    assert [i["alt"] for i in charts] == [spoken(chart_alt(m)) for m in measures]
    outside_images = re.sub(r"<img [^>]*>", "", html)
    captions = {re.sub(r"[ \n]+", " ", text): attrs for attrs, text in figures.captions}
    for measure in measures:
        caption = chart_caption(measure)
        assert caption in captions and "aria-hidden" not in captions[caption]
        # the picture's name (pandoc gives an SVG picture its alt text as aria-label too),
        # and nowhere else: a screen reader meets the figures once
        assert len(caption) < 100 and spoken(chart_alt(measure)) not in outside_images
    assert "title" not in charts[0]
    ceiling = next(m for m in measures if m.target_kind == "ceiling")
    assert chart_caption(ceiling) == ("Kvävedioxid, årsmedelvärde i centrum 2012–2023, "
                                      "mål högst 20\u00a0µg/m³ senast 2024")
    assert "Värde saknas 2014: Mätningen gjordes inte" in chart_alt(ceiling)
    assert "Serien bryts 2015: Ny mätstation" in chart_alt(ceiling)


def test_docx_chart_has_the_short_caption_visible_and_the_full_alt_as_description(
        statistik: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    repo = load_repository(statistik)
    write_report(repo, resolve_period(repo, "T2-2024"), "docx", out)
    with zipfile.ZipFile(out) as docx:
        root = ElementTree.fromstring(docx.read("word/document.xml"))
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    descriptions = [d.get("descr") for d in root.iter(f"{wp}docPr")]
    measures = _measures(statistik, "T2-2024")
    for measure in measures:
        assert descriptions.count(chart_alt(measure).replace("\u00a0", " ")) == 1
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p")]
    for measure in measures:
        assert paragraphs.count(chart_caption(measure)) == 1
        assert chart_alt(measure) not in paragraphs


def test_site_chart_is_named_by_its_caption_and_leaves_the_data_to_the_table(
        statistik: Path) -> None:
    """A screen reader meets the figures once, in the table: the chart has a name, no
    description repeating them."""
    files = render_site(load_repository(statistik), resolve_period(load_repository(statistik),
                                                                   "T2-2024"), draft=True)
    page = next(v.decode() for k, v in files.items() if k.startswith("T2-2024/mal/"))
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    measures = _measures(statistik, "T2-2024")
    assert len(svgs) == len(measures)
    for svg, measure in zip(svgs, measures, strict=True):
        root = tree(svg)
        assert root.get("role") == "img" and root.find(f"{SVG}desc") is None
        assert root.find(f"{SVG}title").text == chart_caption(measure)
    assert "<table" in page and "Linjediagram" not in page


def test_markdown_chart_reads_on_github_short_alt_and_the_data_as_title(
        statistik: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    repo = load_repository(statistik)
    write_report(repo, resolve_period(repo, "T2-2024"), "md", out)
    text = out.read_text(encoding="utf-8")
    images = re.findall(r'!\[([^\]]*)\]\((\S+) "((?:[^"\\]|\\.)*)"\)', text)
    assert images and all(not alt.startswith("Linjediagram") for alt, _, _ in images[1:])
    assert all(title.startswith(("Linjediagram", "Stapeldiagram")) for _, _, title in images)


@pytest.fixture(scope="module")
def browser():
    from axe_browser import CHROMIUM, launch

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    yield from launch()


def _spoken(browser, path: Path) -> str:
    """What a screen reader is given in the page's main landmark (the accessibility tree)."""
    page = browser.new_page()
    page.goto(path.as_uri())
    snapshot = page.get_by_role("main").aria_snapshot()
    page.close()
    return snapshot.replace("\u00a0", " ")


def test_a_screen_reader_meets_a_charts_figures_once(browser, statistik: Path,
                                                     tmp_path: Path) -> None:
    """In a real browser: the report's chart is named by its full data and captioned
    short; the site's chart is named by its caption and the figures are in its table."""
    repo = load_repository(statistik)
    period = resolve_period(repo, "T2-2024")
    report = write_report(repo, period, "html", tmp_path / "r.html")
    spoken = _spoken(browser, report)
    assert spoken.count("29,5 µg/m³") == 1 and 'img "Linjediagram: Kvävedioxid' in spoken
    site = tmp_path / "site"
    for name, data in render_site(repo, period, draft=True).items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    spoken = _spoken(browser, site / "T2-2024" / "mal" / "m1.html")
    [chart] = [line for line in spoken.splitlines() if "- img " in line and "Kväve" in line]
    assert 'img "Kvävedioxid, årsmedelvärde i centrum 2012–2023, mål högst 20 µg/m³' in chart
    assert "29,5" not in chart and spoken.count('cell "29,5 µg/m³"') == 1  # the table only


def test_svg_a_year_without_a_value_keeps_its_place_and_parts_the_line() -> None:
    """2021 and 2023 measured, 2022 not even listed: the axis still has 2022 (the DOCX
    chart, drawn from this one, had it before), and the two values are not joined."""
    root = draw(view({"2021": 62, "2023": 65}, unit="index"))
    assert [t for t in texts(root) if t.startswith("20")] == ["2021", "2022", "2023"]
    assert not classed(root, "series")
    assert svgchart._between(["2012", "T3-2023", "T2-2024"]) == [
        "2012", "T3-2023", "T1-2024", "T2-2024"]
    assert svgchart._between(["1950", "2020"]) == []  # too many places to show
