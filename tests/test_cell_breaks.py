"""Breaks inside table cells: GitHub's <br> in Markdown, Word's own breaks in a DOCX.

The shipped template writes ``{{ br }}`` and ``{{ par }}``; for a DOCX they are the
OOXML pandoc itself writes, so its filter need not open every cell. A template that
still writes <br> gets the same paragraphs, and no other OOXML gets through.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from docx import Document

from malpl.periods import Period
from malpl.report import markdown_text, render_markdown_report, write_report
from malpl.repository import load_repository

T1 = Period(2023, 1, "T")
DAY = dt.date(2023, 5, 15)


def _cell(docx: Path, start: str):
    """The table cell whose text starts with ``start``."""
    for table in Document(str(docx)).tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text.startswith(start):
                    return cell
    raise AssertionError(f"no cell starts with {start!r}")


def _template(root: Path, text: str) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "report.md.j2").write_text(text, encoding="utf-8")


def test_word_gets_its_own_breaks_and_github_gets_br(enriched: Path) -> None:
    repo = load_repository(enriched)
    word = render_markdown_report(repo, T1, today=DAY, target="docx").markdown
    assert "<br" not in word and "`<w:r><w:br/></w:r>`{=openxml}" in word
    assert "<br><br>" in markdown_text(repo, T1, today=DAY)
    out = write_report(repo, T1, "docx", today=DAY)
    comment = _cell(out, "Bobergsgymnasiet bedöms")
    assert [p.text[:22] for p in comment.paragraphs[:2]] == ["Bobergsgymnasiet bedöm",
                                                         "I dagsläget finns 246 "]
    assert {p.style.name for p in comment.paragraphs} == {"Compact"}
    measure = _cell(out, "Elever i åk 9 som är behöriga")
    assert len(measure.paragraphs) == 1
    assert measure.paragraphs[0].text.split("\n")[:2] == [
        "Elever i åk 9 som är behöriga till gymnasieskolan", "2022: 79,2\u00a0%"]
    custom = zipfile.ZipFile(out).read("docProps/custom.xml").decode()
    assert "malpl-split-cells" not in custom  # a signal to the filter, not a property


def test_a_template_writing_br_still_gets_paragraphs_in_word(repo: Path) -> None:
    _template(repo, "# Egen\n\n| A | B |\n|:--|:--|\n| x | ett<br><br>två<br>tre |\n")
    out = write_report(load_repository(repo), T1, "docx", today=DAY)
    assert [p.text for p in _cell(out, "ett").paragraphs] == ["ett", "två\ntre"]


def test_no_other_ooxml_gets_through(repo: Path) -> None:
    """Only malpl's two breaks pass, and a paragraph never ends inside a link."""
    par = '`</w:p><w:p><w:pPr><w:pStyle w:val="Compact"/></w:pPr>`{=openxml}'
    _template(repo, "# Egen\n\n"
              f"| A |\n|:--|\n| [länk {par} text](https://example.org) före{par}efter |\n\n"
              "Text `<w:r><w:t>insmugglad</w:t></w:r>`{=openxml} slut\n")
    root = load_repository(repo)
    out = write_report(root, T1, "docx", today=DAY)
    cell = _cell(out, "länk")
    assert [p.text.split() for p in cell.paragraphs] == [["länk", "text", "före"], ["efter"]]
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "Text <w:r><w:t>insmugglad</w:t></w:r> slut" in texts
    html = write_report(root, T1, "html", today=DAY).read_text(encoding="utf-8")
    assert "&lt;/w:p&gt;&lt;w:p&gt;" in html  # in HTML it is only text


def test_a_tracked_change_never_holds_a_paragraph_break(repo: Path) -> None:
    """pandoc writes an insertion or deletion as w:ins or w:del around its runs: a
    paragraph break inside one made a DOCX that neither Word nor LibreOffice opens."""
    par = '`</w:p><w:p><w:pPr><w:pStyle w:val="Compact"/></w:pPr>`{=openxml}'
    when = 'author="a" date="2023-01-01T00:00:00Z"'
    _template(repo, f"# Egen\n\n[ny {par} text]{{.insertion {when}}} och "
              f"[gammal {par} text]{{.deletion {when}}}\n\n"
              f"| A |\n|:--|\n| [cell {par} x]{{.insertion {when}}} |\n")
    out = write_report(load_repository(repo), T1, "docx", today=DAY)
    xml = zipfile.ZipFile(out).read("word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    changes = [e for tag in ("ins", "del") for e in ElementTree.fromstring(xml).iter(w + tag)]
    assert len(changes) == 3 and not any(c.find(f".//{w}p") is not None for c in changes)


def test_a_template_colour_is_six_hex_digits_or_none(repo: Path) -> None:
    """The filter writes a span's colour into OOXML and CSS as it is: anything but
    #rrggbb put a template's own OOXML (a field) or a CSS url() into the report."""
    field = ('00"/></w:rPr></w:r><w:fldSimple w:instr="INCLUDEPICTURE x"><w:r><w:t>in'
             '</w:t></w:r></w:fldSimple><w:r><w:rPr><w:color w:val="00')
    _template(repo, f"# Egen\n\n<span color='{field}'>a</span> "
              '<span color="red;background:url(https://example.invalid/x)">b</span> '
              '<span color="#00ff00">c</span>\n')
    root = load_repository(repo)
    out = write_report(root, T1, "docx", today=DAY)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    ElementTree.fromstring(xml)
    assert "fldSimple" not in xml and '<w:color w:val="00ff00"/>' in xml
    assert "abc" in "".join(p.text.replace(" ", "") for p in Document(str(out)).paragraphs)
    html = write_report(root, T1, "html", today=DAY).read_text(encoding="utf-8")
    assert "url(" not in html and "fldSimple" not in html
    assert 'style="color:#00ff00"' in html
