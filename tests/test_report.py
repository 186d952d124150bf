"""`malpl report`: every word of the goal files reaches Markdown, DOCX and HTML intact."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import zipfile
from pathlib import Path

import pypandoc
import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from malpl.markdown import _SPACE, escape
from malpl.periods import Period
from malpl.report import markdown_text, shipped_templates, write_report
from malpl.repository import MalplError, load_repository
from malpl.text import LAYOUT_SPACE, visible
from malpl.views import paragraphs
from tests.cli_runner import invoke
from tests.conftest import ROOT, full_layer

DAY = dt.date(2023, 5, 15)
T1 = Period(2023, 1, "T")
LUA = str(shipped_templates() / "malpl.lua")


def expected_texts(root: Path) -> tuple[list[str], list[str]]:
    """(texts that must appear inside some paragraph, paragraphs that must appear whole)."""
    repo = load_repository(root)
    inside, whole = [], []
    for goal in repo.goals:
        inside.append(goal.title)
        for target in goal.targets:
            inside.append(target.text)
            for follow in target.followups.values():
                whole += paragraphs(follow.comment)
        inside += [m.name for m in goal.measures]
    return [_collapse(t) for t in inside], whole


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", visible(text)).strip(LAYOUT_SPACE)


def _inline_text(inlines: list[dict]) -> str:
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "LineBreak":
            out.append("\n")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps"):
            out.append(_inline_text(content))
        elif kind in ("Span", "Link", "Image", "Quoted"):
            out.append(_inline_text(content[1]))
        elif kind == "Code":
            out.append(content[1])
        elif kind == "RawInline":
            pass
        else:
            raise AssertionError(f"unexpected markup from user text: {kind}")
    return "".join(out)


def ast_paragraphs(markdown: str, fmt: str = "markdown-smart") -> list[str]:
    """Every paragraph-like block of the document, as text, after the malpl filter."""
    doc = json.loads(pypandoc.convert_text(markdown, "json", format=fmt,
                                           extra_args=["--lua-filter", LUA]))
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") in ("Para", "Plain"):
                found.append(_inline_text(node["c"]))
                return
            if node.get("t") == "Header":
                found.append(_inline_text(node["c"][2]))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc["blocks"])
    return found


def assert_all_present(found: list[str], root: Path) -> None:
    inside, whole = expected_texts(root)
    lines = [line for text in found for line in text.split("\n")]
    missing_whole = [p for p in whole if p not in found]
    missing_inside = [t for t in inside if not any(t in line for line in lines)]
    assert not missing_whole, missing_whole[:3]
    assert not missing_inside, missing_inside[:3]


def test_markdown_holds_every_text(shipped: Path) -> None:
    markdown = markdown_text(load_repository(shipped), T1, today=DAY)
    assert_all_present(ast_paragraphs(markdown), shipped)


def test_html_holds_every_text(shipped: Path) -> None:
    full_layer(shipped)
    out = write_report(load_repository(shipped), T1, "html", today=DAY)
    html = out.read_text(encoding="utf-8")
    assert_all_present(ast_paragraphs(html, "html"), shipped)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="sv-SE"' in html
    assert 'src="data:image/' in html  # images embedded: one self-contained page
    assert "<style>" in html and "border-collapse" in html


def docx_paragraphs(path: Path) -> list[str]:
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    return texts


def test_docx_holds_every_text(shipped: Path) -> None:
    out = write_report(load_repository(shipped), T1, "docx", today=DAY)
    assert out == shipped / "reports" / "T1-2023.docx"
    assert_all_present(docx_paragraphs(out), shipped)


def test_docx_is_an_accessible_official_document(enriched: Path) -> None:
    full_layer(enriched)
    out = write_report(load_repository(enriched), T1, "docx", today=DAY)
    doc = Document(str(out))
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[:3] == ["Title", "Author", "Date"]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Måluppfyllelse", "1 Kommunstyrelsens Utvecklingsmål"]
    goals = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert goals[0].startswith("1.1 Fortsätta ett målmedvetet arbete")
    assert len(goals) == 15
    goal_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Utvecklingsmål"]
    assert len(goal_tables) == 15
    assert [c.text for c in goal_tables[0].rows[0].cells] == ["Utvecklingsmål", "Kommentar", "Mått"]
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert xml.count('<w:tblHeader w:val="on" />') >= 16  # header rows repeat on each page
    assert 'w:color w:val="2e7d32"' in xml  # assessment symbols in the scale's colours
    styles_xml = zipfile.ZipFile(out).read("word/styles.xml").decode()
    assert 'w:val="sv-SE"' in styles_xml
    names = {s.name for s in doc.styles}
    assert {"Bedömning", "Ingen kommentar", "Table", "Heading 1"} <= names
    assert 'w:rStyle w:val="Bedmning"' in xml or "Bedömning" in xml
    descriptions = [el.get("descr") for el in doc.element.body.iter()
                    if el.tag.endswith("}docPr")]
    assert descriptions and all(d and len(d) > 20 for d in descriptions)
    assert any("Ej bedömd 17 av 21" in d for d in descriptions)


def test_comment_paragraphs_are_separate_paragraphs_in_word(shipped: Path) -> None:
    out = write_report(load_repository(shipped), T1, "docx", today=DAY)
    doc = Document(str(out))
    table = next(t for t in doc.tables if t.rows[1].cells[0].text.startswith("1.1.1"))
    comment = table.rows[2].cells[1]
    assert len(comment.paragraphs) == 5
    assert comment.paragraphs[1].text.startswith("I dagsläget finns 246 elever")


def test_missing_comment_says_so(shipped: Path) -> None:
    full_layer(shipped)
    markdown = markdown_text(load_repository(shipped), T1, today=DAY)
    row = next(line for line in markdown.splitlines() if line.startswith("| **1.11.2**"))
    assert '<span custom-style="Ingen kommentar">Ingen kommentar</span>' in row


def test_swedish_figures(enriched: Path) -> None:
    markdown = markdown_text(load_repository(enriched), T1, today=DAY)
    assert "2022: 79,2\u00a0%" in markdown
    assert "Snitt för alla kommuner 2022: 83,5\u00a0%" in markdown
    assert "prognos 2023: 75–80\u00a0%" in markdown
    assert "· 15 maj 2023" in markdown
    full_layer(enriched)
    assert "| 17 (81,0\u00a0%) |" in markdown_text(load_repository(enriched), T1, today=DAY)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from(
    list("|*_#<>[]{}`\\$@^~&:!-+=.1åäöÅÄÖ\n ")), max_size=80)


@settings(max_examples=60, deadline=None)
@given(_text)
def test_any_comment_survives_markdown_and_pandoc(comment: str) -> None:
    paras = paragraphs(comment)
    cell = "<br><br>".join(escape(p) for p in paras)
    markdown = f"| A | B |\n|:--|:--|\n| x | {cell} |\n\n{escape(comment) or 'x'}\n"
    found = ast_paragraphs(markdown)
    expected = [_collapse(p) for p in paras]
    assert found[3:3 + len(expected)] == expected
    if _collapse(comment):
        assert found[-1] == _collapse(comment)


def test_markdown_golden(repo: Path) -> None:
    """The fixture repository's report, byte for byte (UPDATE_GOLDEN=1 rewrites it)."""
    golden = Path(__file__).parent / "golden" / "report-T2-2023.md"
    markdown = markdown_text(load_repository(repo), Period(2023, 2, "T"), today=DAY,
                             image_dir="bilder")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def test_fixture_report_nests_goals_under_their_parent(repo: Path) -> None:
    markdown = markdown_text(load_repository(repo), Period(2023, 2, "T"), today=DAY)
    assert "\n## 1 Alla barn och unga" in markdown
    assert "\n### 1.1 Fler elever" in markdown
    assert "![Elever i åk 9" in markdown and '"Linjediagram: Elever i åk 9' in markdown


def test_repository_template_overrides_the_shipped_one(repo: Path) -> None:
    (repo / "templates").mkdir()
    (repo / "templates" / "report.md.j2").write_text("# {{ title | md }} – egen mall\n")
    assert markdown_text(load_repository(repo), T1, today=DAY) == "# Nämndens mål – egen mall\n"


def test_broken_template_fails_cleanly_and_keeps_the_old_report(repo: Path) -> None:
    first = write_report(load_repository(repo), T1, "docx", today=DAY)
    before = first.read_bytes()
    (repo / "templates").mkdir()
    (repo / "templates" / "report.md.j2").write_text("# {{ title | md }\n")
    with pytest.raises(MalplError, match=r"report\.md\.j2:1: template error"):
        write_report(load_repository(repo), T1, "docx", today=DAY)
    assert first.read_bytes() == before
    assert [p.name for p in first.parent.iterdir()] == ["T1-2023.docx"]


@pytest.mark.parametrize("args, written, code, message", [
    (("-o", "r.html"), "<!DOCTYPE html>", 0, "wrote r.html"),  # the ending says the format
    (("-o", "r.md"), "<!-- generator: malpl -->", 0, "wrote r.md"),
    (("-o", "r.txt", "-f", "md"), "<!-- generator: malpl -->", 0, "wrote r.txt"),
    (("-o", "r.pdf"), None, 2, "malpl does not write '.pdf' files"),
    (("-o", "r.docx", "-f", "html"), None, 2, "but --format is html"),
])
def test_report_format_follows_the_file_name(repo: Path, tmp_path: Path, monkeypatch,
                                             args: tuple[str, ...], written: str | None,
                                             code: int, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["-C", str(repo), "report", "T1-2023", *args])
    assert result.exit_code == code and message in result.output, result.output
    out = tmp_path / args[1]
    assert (out.read_text(encoding="utf-8").startswith(written) if written
            else not out.exists())


@pytest.mark.parametrize("template, message", [
    ("{{ nothing_here }}\n", "'nothing_here' is undefined"),
    ("# Rubrik\n{{ (1 / 0) }}\n",  # the template's own mistake, with its line
     "report.md.j2:2: template error: ZeroDivisionError: division by zero"),
    # One step in C that nothing could stop, or a number too long to print: refused.
    ("{{ 9 ** 99999999 }}\n", "tried something a template may not: '**' would make a value"),
    ("{{ 2 ** 20000 }}\n", "'**' would make a value too large to show"),
    ("{{ (2 ** 7000) * (2 ** 7000) }}\n", "'*' would make a value too large to show"),
    ("{{ 'x' * 10 ** 9 }}\n", "'*' would make a value too large to show"),
    ("{{ [1, 2] * 10 ** 8 }}\n", "'*' would make a value too large to show"),
    ("\n{{ 2.5 ** 100000 }}\n",  # raised in the sandbox, which works for the template
     "report.md.j2:2: template error: OverflowError"),
    # Other ways to a huge text in one step end in bounded memory.
    ("{{ 'x'|center(3 * 10 ** 9)|length }}\n", "template report.md.j2 made more than 1 GB of data"),
    ("{{ ('%3000000000d' % 1)|length }}\n", "made more than 1 GB of data"),
    ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}\n",
     "template error: a macro or loop calls itself without end"),
    ("\n\n{{ 'abc'|truncate(2) }}\n", "report.md.j2:3: template error: AssertionError"),
    ("{% set x = ('9' * 4300)|int %}\n{{ x + x }}\n",  # too long to print, said at its line
     "report.md.j2:2: template error: ValueError"),
    ("{{ cycler().next() }}\n", "report.md.j2:1: template error: RuntimeError"),
    ("\n{{ 1|dictsort }}\n", "report.md.j2:2: template error: AttributeError"),
])
def test_a_template_that_fails_is_a_clear_error(repo: Path, template: str, message: str) -> None:
    (repo / "templates").mkdir()
    (repo / "templates" / "report.md.j2").write_text(template)
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1
    assert message in result.output
    assert "bug in malpl" not in result.output and "Traceback" not in result.output


def test_cli_report_writes_default_path_and_stdout(repo: Path) -> None:
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "html"])
    assert result.exit_code == 0, result.output
    assert (repo / "reports" / "T1-2023.html").is_file()
    result = invoke(["-C", str(repo), "report", "-f", "md", "-o", "-"])
    assert result.exit_code == 0
    assert "Tertial 2 2023" in result.output  # the latest period by default
    result = invoke(["-C", str(repo), "report", "-f", "md"])
    assert (repo / "reports" / "T2-2023-bilder" / "maluppfyllelse.png").is_file()


def test_cli_report_errors(repo: Path) -> None:
    unknown = invoke(["-C", str(repo), "report", "T3-2023"])
    assert unknown.exit_code == 1
    assert "no follow-ups for T3-2023" in unknown.output
    assert "T1-2023, T2-2023" in unknown.output
    malformed = invoke(["-C", str(repo), "report", "2023-T1"])
    assert malformed.exit_code == 2 and "is not a period" in malformed.output  # as everywhere
    assert invoke(["-C", str(repo), "report", "-f", "docx", "-o", "-"]).exit_code == 2
    shutil.copy(ROOT / "tests" / "fixtures" / "invalid" / "unknown-level.yaml",
                repo / "goals" / "x.yaml")
    invalid = invoke(["-C", str(repo), "report", "T1-2023"])
    assert invalid.exit_code == 1
    assert "run 'malpl check'" in invalid.output
    assert not (repo / "reports").exists()


def test_custom_reference_doc_is_used(repo: Path, tmp_path: Path) -> None:
    reference = tmp_path / "profil.docx"
    doc = Document(str(shipped_templates() / "reference.docx"))
    doc.styles["Heading 1"].font.name = "Garamond"
    doc.save(str(reference))
    out = write_report(load_repository(repo), T1, "docx", reference_doc=reference, today=DAY)
    assert Document(str(out)).styles["Heading 1"].font.name == "Garamond"


def test_a_template_that_is_not_utf8_is_a_clear_error(repo: Path) -> None:
    (repo / "templates").mkdir()
    (repo / "templates" / "report.md.j2").write_bytes(b"# Rubrik \xff\n")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1
    assert "template report.md.j2 is not UTF-8 text" in result.output
    assert "bug in malpl" not in result.output
