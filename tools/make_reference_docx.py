"""Build templates/reference.docx: the Word styles of the report.

Starts from pandoc's own reference document (so every style pandoc uses is
there) and sets a sober municipal look: Arial, dark-blue headings, a bordered
table style with a shaded header row, and the character styles the report
uses (``Bedömning``, ``Ingen kommentar``). A municipality replaces the file,
or passes its own with ``--reference-doc``, to use its graphic profile.

    python tools/make_reference_docx.py   (needs python-docx: pip install -e '.[test]')
"""

from __future__ import annotations

import io
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
BLUE = RGBColor(0x1F, 0x4E, 0x79)


def pandoc_reference() -> bytes:
    pandoc = pypandoc.get_pandoc_path()
    import subprocess

    return subprocess.run([pandoc, "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout


def main() -> None:
    doc = Document(io.BytesIO(pandoc_reference()))
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in [s.name for s in styles]:
            style = styles[name]
            style.font.name = "Arial"
            style.font.size = Pt(10.5)
    for level, size in ((1, 16), (2, 13), (3, 11.5)):
        style = styles[f"Heading {level}"]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = BLUE
    for name, size in (("Title", 24), ("Subtitle", 14)):
        styles[name].font.name = "Arial"
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = BLUE
    names = [s.name for s in styles]
    if "Bedömning" not in names:
        style = styles.add_style("Bedömning", WD_STYLE_TYPE.CHARACTER)
        style.font.bold = True
    if "Ingen kommentar" not in names:
        style = styles.add_style("Ingen kommentar", WD_STYLE_TYPE.CHARACTER)
        style.font.italic = True
        style.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    table = styles["Table"]
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
    doc.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
