"""The DOCX as an official document, read back: page, type, headings, tables, properties;
and the shipped example's report with nothing its source does not have."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm

from malpl.periods import Period
from malpl.report import markdown_text, write_report
from malpl.repository import load_repository
from tests.conftest import full_layer

T1 = Period(2023, 1, "T")
DAY = dt.date(2023, 5, 15)
FIXTURES = Path(__file__).parent / "fixtures"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(root: Path) -> Path:
    return write_report(load_repository(root), T1, "docx", today=DAY)


def _part(path: Path, name: str) -> str:
    return zipfile.ZipFile(path).read(name).decode("utf-8")


def test_docx_page_is_a4_with_margins_header_and_page_numbers(shipped: Path) -> None:
    out = _docx(shipped)
    section = Document(str(out)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for margin in (section.top_margin, section.bottom_margin, section.left_margin,
                   section.right_margin):
        assert Mm(20) <= margin <= Mm(30)
    footer = "".join(p._p.xml for p in section.footer.paragraphs)
    assert "Sida " in footer and " av " in footer
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    header = "".join(p._p.xml for p in section.header.paragraphs)
    assert 'w:instr=" AUTHOR "' in header and 'w:instr=" TITLE "' in header


def test_docx_core_properties_name_the_period_and_body(shipped: Path) -> None:
    props = Document(str(_docx(shipped))).core_properties
    assert props.title == "Kommunstyrelsens Utvecklingsmål – Tertial 1 2023"
    assert props.author == "Ånge kommun · Kommunstyrelsen"


def test_docx_is_not_in_compatibility_mode(shipped: Path) -> None:
    settings = _part(_docx(shipped), "word/settings.xml")
    mode = re.search(r'w:name="compatibilityMode"[^>]*w:val="(\d+)"', settings)
    assert mode and int(mode.group(1)) >= 15


def test_docx_has_one_font_family_in_every_style_and_the_theme(shipped: Path) -> None:
    out = _docx(shipped)
    styles = _part(out, "word/styles.xml")
    assert "Theme=" not in styles and "theme=" not in styles  # a theme font would win
    families = set(re.findall(r'w:(?:ascii|hAnsi)="([^"]+)"', styles)) - {"Consolas"}
    assert families == {"Arial"}
    theme = _part(out, "word/theme/theme1.xml")
    assert set(re.findall(r'<a:latin typeface="([^"]*)"', theme)) == {"Arial"}
    document = _part(out, "word/document.xml")
    assert set(re.findall(r'w:ascii="([^"]+)"', document)) <= {"Arial"}


def test_docx_headings_nest_body_then_goal(repo: Path) -> None:
    out = write_report(load_repository(repo), Period(2023, 2, "T"), "docx", today=DAY)
    levels = [(int(p.style.name[-1]), p.text) for p in Document(str(out)).paragraphs
              if p.style.name.startswith("Heading")]
    assert levels[0] == (1, "Måluppfyllelse")
    assert levels[1] == (1, "1 Barn- och utbildningsnämnden") or levels[1][0] == 1
    previous = 1
    for level, _text in levels[1:]:
        assert level <= previous + 1  # never a jump from chapter to sub-sub-heading
        previous = level
    assert any(level == 3 for level, _ in levels)  # a goal under its parent goal


def _text(row) -> str:
    return "".join(t.text or "" for t in row._tr.iter(f"{W}t"))


def test_docx_long_rows_split_under_a_repeated_header_and_headings_keep_with_next(
        shipped: Path) -> None:
    """A long row may split (its header repeats above the rest) so a page is never left half
    blank; the header row and a short row stay whole, and a heading keeps with the first row
    (heading keep-with-next, the header row's paragraphs keep-with-next)."""
    out = _docx(shipped)
    doc = Document(str(out))
    split = whole = 0
    for table in doc.tables:
        header = table.rows[0]._tr
        assert header.find(f"{W}trPr/{W}tblHeader") is not None
        assert header.find(f"{W}trPr/{W}cantSplit") is not None
        assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in header.iter(f"{W}p"))
        for row in table.rows[1:]:
            kept = row._tr.find(f"{W}trPr/{W}cantSplit") is not None
            assert kept == (len(_text(row).encode("utf-8")) <= 400)
            split, whole = split + (not kept), whole + kept
    assert split and whole
    for level in (1, 2, 3):
        style = doc.styles[f"Heading {level}"]
        assert style.paragraph_format.keep_with_next
    assert doc.styles["Normal"].paragraph_format.widow_control


def test_docx_short_lines_after_a_heading_and_assessments_keep_with_what_follows(
        tmp_path: Path) -> None:
    """"Bidrar till …", a goal's level and its assessment never end a page without what
    they are about: their paragraph style keeps with the next paragraph."""
    out = write_report(load_repository(FIXTURES / "kommun"), Period(2024, 1, "T"), "docx",
                       tmp_path / "kommun.docx", today=DAY)
    doc = Document(str(out))
    kept = [p.text for p in doc.paragraphs if p.style.name == "Håll ihop"]
    assert doc.styles["Håll ihop"].paragraph_format.keep_with_next
    assert any(t.startswith("Bidrar till") for t in kept)
    assert any("uppfyllt" in t.lower() for t in kept)
    blocks = [b for b in doc.element.body if b.tag in (f"{W}p", f"{W}tbl")]
    style = f"{W}pPr/{W}pStyle"
    for block, after in itertools.pairwise(blocks):
        if block.tag == f"{W}p" and block.find(style) is not None \
                and block.find(style).get(f"{W}val") == "Hållihop":
            assert after.find(style) is None or \
                not after.find(style).get(f"{W}val").startswith("Heading")
    assert not any(len(p.text) > 160 for p in doc.paragraphs if p.style.name == "Håll ihop")


def test_docx_assessment_symbols_are_drawn_at_the_size_of_the_text(repo: Path) -> None:
    out = write_report(load_repository(repo), Period(2023, 2, "T"), "docx", today=DAY)
    doc = Document(str(out))
    assert doc.styles["Bedömningssymbol"].font.size.pt >= doc.styles["Normal"].font.size.pt
    assert 'w:rStyle w:val="Bedömningssymbol"' in _part(out, "word/document.xml")


def test_docx_is_dated_the_report_and_names_malpl_and_pandoc(shipped: Path) -> None:
    """pandoc dates every DOCX 1970-01-01; the report's date goes into docProps/core.xml,
    and the versions that made it into its custom properties."""
    from malpl import __version__

    out = _docx(shipped)
    props = Document(str(out)).core_properties
    assert props.created == props.modified == dt.datetime(2023, 5, 15, tzinfo=dt.timezone.utc)
    custom = _part(out, "docProps/custom.xml")
    assert f'name="malpl-version"><vt:lpwstr>{__version__}</vt:lpwstr>' in custom
    pandoc = re.search(r'name="pandoc-version"><vt:lpwstr>(\d+\.\d+[\d.]*)</vt:lpwstr>', custom)
    assert pandoc and pandoc.group(1).startswith("3.")


def test_html_names_malpl_and_pandoc_in_its_meta(shipped: Path) -> None:
    from malpl import __version__

    out = write_report(load_repository(shipped), T1, "html", today=DAY)
    head = out.read_text(encoding="utf-8").split("</head>")[0]
    assert f'<meta name="malpl-version" content="{__version__}" />' in head
    assert re.search(r'<meta name="pandoc-version" content="3\.[\d.]+" />', head)


def test_a_report_of_several_bodies_names_the_organisation_in_its_page_header(
        tmp_path: Path) -> None:
    """The header shows the author: one line, not every body's name (five in this one)."""
    out = write_report(load_repository(FIXTURES / "kommun"), Period(2024, 1, "T"), "docx",
                       tmp_path / "kommun.docx", today=DAY)
    assert Document(str(out)).core_properties.author == "Storby kommun"


def test_shipped_report_has_no_mark_or_summary_its_source_lacks(shipped: Path) -> None:
    repo = load_repository(shipped)
    markdown = markdown_text(repo, T1, today=DAY)
    assert "Måluppfyllelse" not in markdown
    assert "Ej bedömd" not in markdown and "Ingen kommentar" not in markdown
    follow = [t.followups["T1-2023"] for g in repo.goals for t in g.targets
              if "T1-2023" in t.followups]
    marks = [f for f in follow if f.assessment] + [f for f in follow if f.forecast]
    assert markdown.count('custom-style="Bedömning"') == len(marks) == 0  # the source has none


def test_a_new_repository_gets_the_full_assessment_layer(shipped: Path) -> None:
    markdown = markdown_text(load_repository(full_layer(shipped)), T1, today=DAY)
    assert "# Måluppfyllelse" in markdown
    assert "Ej bedömd" in markdown and "Ingen kommentar" in markdown


def test_diarienummer_is_shown_under_the_title(shipped: Path) -> None:
    config = shipped / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  diarienummer: KS 2023/45\n",
                      encoding="utf-8")
    paragraphs = [p.text for p in Document(str(_docx(shipped))).paragraphs]
    assert "Dnr KS 2023/45" in paragraphs[:5]


def _with_logo(root: Path, name: str) -> None:
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"  logo: {name}\n", encoding="utf-8")


def test_logo_from_the_repository_is_in_the_title_block(shipped: Path, tmp_path: Path) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, format="PNG")
    (shipped / "logo.png").write_bytes(buffer.getvalue())
    _with_logo(shipped, "logo.png")
    out = _docx(shipped)
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(out).namelist())


def test_logo_outside_the_repository_is_refused(shipped: Path, tmp_path: Path) -> None:
    import pytest

    from malpl.repository import MalplError

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    (shipped / "link.png").symlink_to(secret)
    (shipped / "text.png").write_text("not a picture", encoding="utf-8")
    for name in ("../secret.png", str(secret), "link.png", "text.png", "goals", "missing.png"):
        config = shipped / "malpl.yaml"
        config.write_text(config.read_text(encoding="utf-8").split("\n  logo:")[0]
                          + f"\n  logo: '{name}'\n", encoding="utf-8")
        with pytest.raises(MalplError, match=r"report\.logo"):
            _docx(shipped)


def test_html_has_one_h1_a_main_landmark_captions_and_hidden_symbols(shipped: Path) -> None:
    out = write_report(load_repository(full_layer(shipped)), T1, "html", today=DAY)
    html = out.read_text(encoding="utf-8")
    assert html.count("<h1") == 1 and 'role="main"' in html
    assert "<title>Kommunstyrelsens Utvecklingsmål – Tertial 1 2023</title>" in html
    assert html.count("<table") == html.count("<caption>") and "<caption>Mål 1.1</caption>" in html
    assert '<th style="text-align: left;" scope="col">Kommentar</th>' in html
    symbols = re.findall(r'<span class="bedomning-symbol"[^>]*>', html)
    assert symbols and all('aria-hidden="true"' in s for s in symbols)
    assert "@media print" in html


def test_markdown_opens_with_a_heading_not_front_matter(shipped: Path) -> None:
    markdown = markdown_text(load_repository(shipped), T1, today=DAY)
    lines = markdown.splitlines()
    assert lines[0] == "<!-- generator: malpl -->" and "---" not in lines[:10]
    assert lines[2] == "# Kommunstyrelsens Utvecklingsmål – Tertial 1 2023"
    assert lines[4] == "Ånge kommun · Kommunstyrelsen · 15 maj 2023"
    out = write_report(load_repository(shipped), T1, "md", today=DAY)
    assert write_report(load_repository(shipped), T1, "md", out, today=DAY) == out  # its own


def test_docx_title_block_comes_from_the_heading_once(shipped: Path) -> None:
    texts = [p.text for p in Document(str(_docx(shipped))).paragraphs]
    assert texts[:3] == ["Kommunstyrelsens Utvecklingsmål – Tertial 1 2023",
                         "Ånge kommun · Kommunstyrelsen", "15 maj 2023"]
    assert texts.count("Kommunstyrelsens Utvecklingsmål – Tertial 1 2023") == 1


def _more_goals(root: Path, count: int) -> Path:
    """The shipped example with copies of its first goal under new ids, up to ``count``."""
    text = (root / "goals" / "1.1.yaml").read_text(encoding="utf-8")
    for n in range(16, count + 1):
        (root / "goals" / f"1.{n}.yaml").write_text(
            text.replace('id: "1.1"', f'id: "1.{n}"').replace('"1.1.', f'"1.{n}.'),
            encoding="utf-8")
    return root


def _has_contents(docx: Path) -> bool:
    return 'TOC \\o' in _part(docx, "word/document.xml")


@pytest.mark.parametrize(("goals", "option", "expected"), [
    (15, None, False), (21, None, True), (21, "false", False), (15, "true", True)])
def test_table_of_contents_past_20_goals_or_as_chosen(shipped: Path, goals: int,
                                                        option: str | None,
                                                        expected: bool) -> None:
    """``report.contents`` is ``auto`` unless set: a table of contents past 20 goals."""
    _more_goals(shipped, goals)
    if option is not None:
        config = shipped / "malpl.yaml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("report:\n", f"report:\n  contents: {option}\n", 1)
                          if "report:\n" in text else text + f"report:\n  contents: {option}\n",
                          encoding="utf-8")
    repo = load_repository(shipped)
    assert len(repo.goals) == goals
    assert _has_contents(write_report(repo, T1, "docx", today=DAY)) == expected
