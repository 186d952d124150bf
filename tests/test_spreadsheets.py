"""Spreadsheets of status, show, todo and measures: CSV as Swedish Excel reads it, xlsx as
openpyxl reads it back, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from malpl.spreadsheets import Column, Sheet, csv_text, xlsx_bytes
from tests.cli_runner import invoke
from tests.test_terminal_safety import formula_goal

BOM = b"\xef\xbb\xbf"
HOSTILE = ("=1+1", "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tx",
           "\ry")


def run(*args: str, lang: str = "sv"):
    result = invoke(list(args), env={"MALPL_LANG": lang, "COLUMNS": "100"})
    assert "Traceback" not in result.output
    return result


def excel_rows(data: bytes) -> list[list[str]]:
    """The rows as Swedish Excel splits them: a BOM, then cells between semicolons."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def as_number(cell: str) -> float:
    return float(cell.replace(",", "."))


def written(root: Path, *args: str, lang: str = "sv", ending: str = "csv") -> bytes:
    out = root.parent / f"out.{ending}"
    result = run("-C", str(root), *args, "-f", ending, "-o", str(out), lang=lang)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_status_csv_opens_in_swedish_excel(repo: Path) -> None:
    rows = excel_rows(written(repo, "status", "T1-2023"))
    header, body = rows[0], rows[1:]
    assert header == ["Period", "Nämnd/styrelse", "Mål", "Id", "Nivå", "Text", "Ansvarig",
                      "Bedömning", "Bedömningens nyckel", "Prognos", "Utfall", "Målvärde",
                      "Sammanvägt", "Kommentar", "Klar"]
    assert all(len(row) == len(header) for row in body)
    table = {row[3]: dict(zip(header, row, strict=True)) for row in body}
    first = table["1.1.1"]
    assert first["Bedömning"] == "Delvis uppfyllt" and first["Prognos"] == "Uppfyllt"
    assert first["Ansvarig"] == "Rektor Nordskolan" and first["Klar"] == "ja"
    assert first["Kommentar"].startswith("Prognosen efter vårterminen visar 80 % behöriga.\n"
                                         "Extra lovskola planeras i juni.")
    assert first["Text"].startswith("Andelen behöriga elever i åk 9")
    assert table["1.2.1"]["Klar"] == "nej" and as_number(table["1.2.1"]["Utfall"]) == 1
    assert table["1"]["Sammanvägt"] == "Uppfyllt 1 av 3, delvis uppfyllt 1, ej bedömd 1"


def test_csv_headers_are_english_on_request(repo: Path) -> None:
    header = excel_rows(written(repo, "status", "T1-2023", lang="en"))[0]
    assert header[:4] == ["Period", "Body", "Goal", "Id"] and header[-1] == "Ready"


def test_measures_csv_is_csv_with_decimal_commas(repo: Path) -> None:
    """Finding: `measures --format csv` printed JSON."""
    result = run("-C", str(repo), "measures", "-f", "csv")
    assert result.exit_code == 0 and not result.stdout.lstrip("\ufeff").startswith("[")
    rows = excel_rows(result.stdout.encode("utf-8"))
    table = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert table["1.1.m1"]["Senaste värde"] == "79,2" and table["1.1.m1"]["Senaste år"] == "2022"
    assert table["1.1.m1"]["Trend"] == "försämrad"
    assert as_number(table["1.2.m1"]["Senaste värde"]) == 4800
    assert ';79,2;' in result.stdout  # a number, not quoted text


def test_todo_and_show_csv(repo: Path) -> None:
    rows = excel_rows(written(repo, "todo", "T2-2023"))
    assert rows[0] == ["Ansvarig", "Id", "Text", "Saknas"]
    assert ["Fritidsgården", "1.2.1", "Minst tre nya aktiviteter för unga startas under 2023.",
            "kommentar (`comment`), bedömning (`assessment`), klar (`ready`)"] in rows
    shown = excel_rows(written(repo, "show", "1.1", "-p", "T2-2023"))
    assert [row[3] for row in shown[1:]] == ["1.1.1", "1.1.2"]
    assert all(row[0] == "T2-2023" for row in shown[1:])


def test_status_xlsx_reads_back(repo: Path) -> None:
    book = load_workbook(io.BytesIO(written(repo, "status", "T1-2023", ending="xlsx")))
    assert book.sheetnames == ["Status", "Förklaring"]
    sheet = book["Status"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Period", "Nämnd/styrelse", "Mål"] and sheet["A1"].font.bold
    rows = {row[3].value: row for row in sheet.iter_rows(min_row=2)}
    value = rows["1.2.1"][header.index("Utfall")]
    assert value.value == 1 and value.data_type == "n"
    comment = rows["1.1.1"][header.index("Kommentar")]
    assert comment.data_type == "s" and comment.alignment.wrap_text
    assert "Extra lovskola planeras i juni." in comment.value
    assert rows["1.1.1"][header.index("Klar")].value == "ja"
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert 40 <= widths["N"] <= 60 and 6 <= widths["A"] < 20  # comments wrap; ids stay narrow
    explained = [[c.value for c in row] for row in book["Förklaring"].iter_rows()]
    assert explained[0] == ["Kolumn", "Vad den betyder"]
    assert [row[0] for row in explained[1:]] == header
    assert "(`comment`)" in dict(explained)["Kommentar"]


def test_hostile_cells_are_text_never_formulas(repo: Path) -> None:
    formula_goal(repo, HOSTILE)
    rows = [r for r in excel_rows(written(repo, "status", "T1-2023"))[1:] if r[2] == "9"]
    assert [r[5][0] for r in rows] == ["'"] * len(HOSTILE)
    assert [r[6][0] for r in rows] == ["'"] * len(HOSTILE)
    sheet = load_workbook(io.BytesIO(written(repo, "status", "T1-2023", ending="xlsx")))["Status"]
    cells = [row[5] for row in sheet.iter_rows(min_row=2) if row[2].value == "9"]
    assert [c.value for c in cells][:5] == list(HOSTILE[:5])
    assert all(c.data_type == "s" for c in cells)


def test_the_writer_keeps_numbers_numbers_and_text_text() -> None:
    sheet = Sheet("Status", [Column("A", "a"), Column("B", "b"), Column("C", "c")],
                  [["=1+1", -0.5, True], ["-2", 1234567.25, None]])
    text = csv_text(sheet)
    assert text == '\ufeff"A";"B";"C"\n"\'=1+1";-0,5;"yes"\n"\'-2";1234567,25;\n'
    book = load_workbook(io.BytesIO(xlsx_bytes(sheet)))
    cell = book.active["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert book.active["B2"].value == -0.5 and book.active["B2"].data_type == "n"
    assert book.sheetnames == ["Status", "Explanation"]


def test_output_never_replaces_a_persons_file(repo: Path, tmp_path: Path) -> None:
    mine = tmp_path / "budget.xlsx"
    mine.write_bytes(b"a person's workbook")
    result = run("-C", str(repo), "status", "-f", "xlsx", "-o", str(mine), lang="en")
    assert result.exit_code == 1 and "is not a spreadsheet malpl wrote" in result.output
    assert mine.read_bytes() == b"a person's workbook"
    notes = tmp_path / "notes.csv"
    notes.write_text("mina anteckningar\n", encoding="utf-8")
    assert run("-C", str(repo), "todo", "T1-2023", "-f", "csv", "-o", str(notes)).exit_code == 1
    assert notes.read_text(encoding="utf-8") == "mina anteckningar\n"
    goal = repo / "goals" / "1.1.yaml"
    before = goal.read_bytes()
    result = run("-C", str(repo), "status", "-f", "csv", "-o", str(goal), lang="en")
    assert result.exit_code == 1 and "one of the goal files" in result.output
    assert goal.read_bytes() == before


def test_output_replaces_what_malpl_wrote_in_either_language(repo: Path) -> None:
    first = written(repo, "status", "T1-2023", ending="xlsx")
    again = written(repo, "status", "T2-2023", ending="xlsx")
    assert first != again
    written(repo, "status", "T1-2023", lang="en")
    assert excel_rows(written(repo, "status", "T1-2023"))[0][1] == "Nämnd/styrelse"


@pytest.mark.parametrize("args, message", [
    (("status", "-f", "xlsx"), "an xlsx file needs a name"),
    (("status", "-f", "json", "-o", "x.json"), "-o writes a spreadsheet"),
])
def test_usage_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run("-C", str(repo), *args, lang="en")
    assert result.exit_code == 2 and message in result.output


def test_swedish_messages(repo: Path) -> None:
    result = run("-C", str(repo), "status", "-f", "xlsx", "-o", "-")
    assert result.exit_code == 2 and "en xlsx-fil behöver ett namn" in result.output
    result = run("-C", str(repo), "status", "-g", "7")
    assert result.exit_code == 1 and "det finns inget mål med id '7'" in result.output
    result = run("-C", str(repo), "show", "1.1", "-p", "T2-2023")
    assert "Kommentar T2-2023:" in result.output and "senast 2022: 79,2\u00a0%" in result.output
    assert excel_rows(run("-C", str(repo), "todo", "T1-2023", "-f", "csv", "-o", "-")
                      .stdout.encode())[0] == ["Ansvarig", "Id", "Text", "Saknas"]


def test_openpyxl_is_imported_only_for_an_xlsx(repo: Path) -> None:
    code = ("import sys; from malpl.cli import main\n"
            "try:\n    main(['-C', sys.argv[1], 'status', '-f', 'csv'])\n"
            "except SystemExit:\n    pass\n"
            "print('openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip().endswith("False")
