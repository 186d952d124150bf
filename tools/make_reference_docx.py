"""Build templates/reference.docx: the page and the Word styles of the report.

Starts from pandoc's own reference document (so every style pandoc uses is
there) and sets a sober municipal look: an A4 page with margins, a header
(author and title from the document's properties) and a footer "Sida N av M",
one font family in every style and in the theme (a theme font would otherwise
win over the style's own), dark-blue headings kept with what follows, a
bordered table style with a shaded header row, the character styles the
report uses (``Bedömning``, ``Bedömningssymbol``, ``Ingen kommentar``), the
paragraph style ``Håll ihop`` (kept with the next paragraph), and Word 2013+ settings so
Word does not open it in compatibility mode. A municipality replaces the
file, or passes its own with ``--reference-doc``, to use its graphic profile.

    python tools/make_reference_docx.py   (needs python-docx: pip install -e '.[test]')
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
FONT = "Arial"
BLUE = RGBColor(0x1F, 0x4E, 0x79)
GREY = RGBColor(0x44, 0x44, 0x44)


def pandoc_reference() -> bytes:
    pandoc = pypandoc.get_pandoc_path()
    return subprocess.run([pandoc, "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout


def _one_font(root) -> None:
    """Every rFonts names the family itself; theme attributes would override it."""
    for fonts in root.iter(qn("w:rFonts")):
        for key in list(fonts.attrib):
            if key.endswith("Theme") or key.endswith("theme"):
                del fonts.attrib[key]
        if fonts.get(qn("w:ascii")) == "Consolas":
            continue
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)


def _field(paragraph, instruction: str) -> None:
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} "/>'))


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12.5)
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(Mm(160), alignment=2)  # right
    _field(header, "AUTHOR")
    header.add_run("\t")
    _field(header, "TITLE")
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Sida ")
    _field(footer, "PAGE")
    footer.add_run(" av ")
    _field(footer, "NUMPAGES")


def _styles(doc) -> None:
    styles = doc.styles
    names = [s.name for s in styles]
    for name in ("Header", "Footer"):
        if name not in names:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
        styles[name].font.size = Pt(8.5)
        styles[name].font.color.rgb = GREY
    for name in ("Normal", "Body Text", "First Paragraph"):
        styles[name].font.size = Pt(10.5)
    # No line of a paragraph alone at the foot or head of a page, in a table row that
    # splits too (rows may split: a long comment would otherwise leave half a page blank).
    styles["Normal"].paragraph_format.widow_control = True
    compact = styles["Compact"]  # table cells: a long Swedish word fits its column
    compact.font.size = Pt(9.5)
    compact.paragraph_format.space_before = Pt(1)
    compact.paragraph_format.space_after = Pt(5)
    for level, size in ((1, 15), (2, 12.5), (3, 11), (4, 10.5)):
        style = styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = BLUE
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = True
    for name, size, color in (("Title", 20, BLUE), ("Subtitle", 12, GREY), ("Date", 11, GREY)):
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = color
        styles[name].font.italic = False
    for spacing in styles["Subtitle"].element.findall(f"{qn('w:rPr')}/{qn('w:spacing')}"):
        spacing.getparent().remove(spacing)  # the bodies of a report, in plain letters
    if "Bedömning" not in names:
        styles.add_style("Bedömning", WD_STYLE_TYPE.CHARACTER).font.bold = True
    if "Bedömningssymbol" not in names:  # a ● drawn as large as a capital letter
        styles.add_style("Bedömningssymbol", WD_STYLE_TYPE.CHARACTER).font.size = Pt(13)
    if "Håll ihop" not in names:  # a goal's short lines stay with its table or comment
        style = styles.add_style("Håll ihop", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Body Text"]
        style.paragraph_format.keep_with_next = True
    if "Ingen kommentar" not in names:
        style = styles.add_style("Ingen kommentar", WD_STYLE_TYPE.CHARACTER)
        style.font.italic = True
        style.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    _table_style(styles["Table"])
    _one_font(styles.element)


def _table_style(table) -> None:
    element = table.element
    tbl_pr = element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = parse_xml(f"<w:tblPr {nsdecls('w')}/>")
        element.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    tbl_pr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="B7C4D1"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"))
    for old in element.findall(qn("w:tblStylePr")):
        element.remove(old)
    element.append(parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow">'
        '<w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F4E79"/></w:tcPr>'
        "</w:tblStylePr>"))


def _settings(doc) -> None:
    """Word 2013+ layout (no compatibility mode), Swedish as the language."""
    settings = doc.settings.element
    for old in settings.findall(qn("w:compat")):
        settings.remove(old)
    compat = parse_xml(
        f'<w:compat {nsdecls("w")}><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>')
    anchor = settings.find(qn("w:rsids"))
    if anchor is None:
        settings.append(compat)
    else:
        anchor.addprevious(compat)
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "sv-SE")
    for lang in settings.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), "sv-SE")


def _theme_fonts(data: bytes) -> bytes:
    """The theme's heading and body fonts are the one family too."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, content in items:
            if info.filename.startswith("word/theme/"):
                text = content.decode("utf-8")
                text = re.sub(r'(<a:latin typeface=")[^"]*(")', rf"\g<1>{FONT}\g<2>", text)
                content = text.encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def main() -> None:
    doc = Document(io.BytesIO(pandoc_reference()))
    _styles(doc)
    _page(doc)
    _settings(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    OUT.write_bytes(_theme_fonts(buffer.getvalue()))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
