"""The answer sheet round trip: ``todo --format xlsx`` out, filled in with openpyxl as a
person would, ``import`` back into the shipped example's goal files in a real git repository;
and every way a sheet can be stale, wrong, conflicting or hostile, with nothing written."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from malpl.lifecycle.edit import Plan
from tests.cli_runner import invoke

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org"}
COMMENT = "Första stycket, rad ett.\nRad två i samma stycke.\n\nAndra stycket: 4,5 % mer."


def run(root: Path, *args: str, lang: str = "en"):
    return invoke(["-C", str(root), *args], env={"MALPL_LANG": lang, "COLUMNS": "200"})


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


@pytest.fixture
def example(shipped: Path) -> Path:
    git(shipped, "init", "-q", "-b", "main")
    git(shipped, "add", "-A")
    git(shipped, "commit", "-q", "-m", "start")
    return shipped


def export(root: Path, name: str = "svar.xlsx", *extra: str) -> Path:
    out = root.parent / name
    result = run(root, "todo", "T1-2023", "--format", "xlsx", "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def fill(path: Path, answers: dict[str, dict[str, object]]) -> None:
    """Type into the answer cells by id, as a person does: headers found by name."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    for ident, cells in answers.items():
        for header, value in cells.items():
            sheet.cell(rows[ident], headers.index(header) + 1).value = value
    book.save(path)


def row_of(path: Path, ident: str) -> int:
    sheet = load_workbook(path).worksheets[0]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == ident)


def unchanged(root: Path) -> None:
    assert git(root, "status", "--porcelain", "goals") == ""


def test_round_trip_changes_exactly_the_three_answers(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Assessment": "Delvis uppfyllt"},
                 "1.1.2": {"Value": "4,5"},
                 "1.2.1": {"Comment": COMMENT, "Ready": "no"}})
    dry = run(example, "import", str(sheet), "--dry-run")
    assert dry.exit_code == 0 and "+        value: 4.5" in dry.stdout
    unchanged(example)

    result = run(example, "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "3 follow-ups" in result.stdout
    diff = git(example, "diff", "-U0", "goals")
    changed = [line for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        "+        assessment: delvis_uppfyllt",
        "+        value: 4.5",
        "-        ready: true",
        "+        ready: false",
        "-          Arbetet har ännu inte initierats.",
        "+          Första stycket, rad ett.",
        "+          Rad två i samma stycke.",
        "+",
        "+          Andra stycket: 4,5 % mer.",
    ]
    assert git(example, "diff", "--name-only").split() == ["goals/1.1.yaml", "goals/1.2.yaml"]
    assert run(example, "check").exit_code == 0
    report = run(example, "report", "T1-2023", "-f", "md", "-o", "-")
    assert report.exit_code == 0, report.output
    for text in ("Första stycket, rad ett.", "Andra stycket: 4,5 % mer.", "Delvis uppfyllt"):
        assert text in report.stdout

    again = run(example, "import", str(sheet))
    assert again.exit_code == 0 and "nothing to import" in again.stdout
    assert git(example, "diff", "-U0", "goals") == diff


def test_the_workbook_reads_well_and_guards_its_cells(example: Path) -> None:
    book = load_workbook(export(example, "sv.xlsx"))
    answers, guide, meta = book.worksheets
    assert [c.value for c in answers[1]] == ["Id", "Goal", "Responsible", "Assessment",
                                             "Forecast", "Value", "Comment", "Ready",
                                             "Last assessment", "Last comment", "Fingerprint"]
    assert answers.protection.sheet and guide.title == "Instructions"
    assert meta.sheet_state == "hidden" and answers.column_dimensions["K"].hidden
    assert not answers["D2"].protection.locked and answers["A2"].protection.locked
    assert answers["B2"].alignment.wrap_text and answers.column_dimensions["G"].width >= 60
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in answers.data_validations.dataValidation}
    assert lists == {"D2": "malpl!$D$1:$D$4", "E2": "malpl!$D$1:$D$4", "H2": "malpl!$E$1:$E$2"}
    assert [meta.cell(r, 4).value for r in range(1, 5)] == ["Uppfyllt", "Delvis uppfyllt",
                                                             "Ej påbörjat", "Ej uppfyllt"]
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 7)}
    assert values["period"] == "T1-2023" and values["repository"] == "Ånge kommun"
    assert len(answers["K2"].value) == 64


def test_the_sheet_is_swedish_and_shows_last_period(example: Path) -> None:
    assert run(example, "period", "open", "T2-2023").exit_code == 0
    out = example.parent / "t2.xlsx"
    result = run(example, "todo", "T2-2023", "-f", "xlsx", "-o", str(out), "-r", "",
                 lang="sv")
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    answers, guide = book.worksheets[:2]
    assert (answers.title, guide.title) == ("Svar", "Instruktioner")
    assert [c.value for c in answers[1]][:8] == ["Id", "Mål", "Ansvarig", "Bedömning",
                                                 "Prognos", "Utfall", "Kommentar", "Klar"]
    assert answers["J2"].value.startswith("Riktade insatser")
    assert answers["J2"].fill.fgColor.rgb.endswith("F2F2F2")
    assert "Alt+Enter" in " ".join(str(c.value) for c in guide["A"])


def test_refusals_name_the_row_and_write_nothing(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Assessment": "Nästan klart", "Value": "mycket"},
                 "1.1.2": {"Comment": "Ett svar som inte skrivs."}})
    book = load_workbook(sheet)
    book.worksheets[0].cell(row_of(sheet, "1.2.1"), 1).value = "9.9.9"
    book.worksheets[0].cell(row_of(sheet, "1.2.1"), 4).value = "Uppfyllt"
    book.save(sheet)
    result = run(example, "import", str(sheet))
    assert result.exit_code == 1
    row = row_of(sheet, "1.1.1")
    assert f"row {row} (1.1.1): 'Nästan klart' is not on the scale" in result.stderr
    assert "row 4 (9.9.9): no goal or target has this id" in result.stderr
    assert "2 rows cannot be imported; nothing was changed" in result.stderr
    unchanged(example)
    swedish = run(example, "import", str(sheet), lang="sv")
    assert "rad 4 (9.9.9): inget mål eller delmål har det här id:t" in swedish.stderr


def test_text_in_a_number_cell_is_refused(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Value": "ungefär hälften"}})
    result = run(example, "import", str(sheet))
    assert result.exit_code == 1 and "'ungefär hälften' is not a number" in result.stderr
    unchanged(example)


def test_a_stale_sheet_is_refused(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Assessment": "Uppfyllt"}, "1.1.2": {"Assessment": "Uppfyllt"}})
    goal = example / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text().replace("ca 75-80%.", "ca 75-80 %."))
    git(example, "commit", "-qam", "someone edits 1.1.1")
    result = run(example, "import", str(sheet))
    assert result.exit_code == 1
    assert (f"row {row_of(sheet, '1.1.1')} (1.1.1): goals/1.1.yaml has changed this follow-up"
            in result.stderr)
    unchanged(example)  # 1.1.2 was fine, and is not written either


def test_sheets_of_several_people_in_any_order_and_a_conflict(example: Path) -> None:
    first, second, third = (export(example, f"{n}.xlsx") for n in ("a", "b", "c"))
    fill(first, {"1.1.1": {"Assessment": "Uppfyllt"}})
    fill(second, {"1.1.1": {"Assessment": "Ej uppfyllt"}, "1.2.1": {"Forecast": "Uppfyllt"}})
    fill(third, {"1.1.2": {"Assessment": "Ej påbörjat"}, "1.1.1": {"Assessment": "Uppfyllt"}})
    assert run(example, "import", str(third)).exit_code == 0
    assert run(example, "import", str(first)).exit_code == 0  # the same answer: no conflict
    before = git(example, "diff")
    result = run(example, "import", str(second))
    assert result.exit_code == 1
    assert "b.xlsx: 1 row cannot be imported" in result.stderr
    assert f"row {row_of(second, '1.1.1')} (1.1.1): goals/1.1.yaml has changed" in result.stderr
    assert git(example, "diff") == before  # 1.2.1's forecast is not written either
    assert "assessment: ej_paborjat" in before and "assessment: uppfyllt" in before


def test_a_formula_without_a_value_is_refused_by_its_cell(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Value": "=1+1"}})
    book = load_workbook(sheet)
    book.worksheets[0]["F2"].data_type = "f"
    book.save(sheet)
    result = run(example, "import", str(sheet))
    assert result.exit_code == 1
    assert "cell Answers!F2 holds a formula without a value (=1+1)" in result.stderr
    unchanged(example)


def test_control_characters_in_a_cell_are_refused(example: Path) -> None:
    sheet = export(example)
    fill(sheet, {"1.1.1": {"Comment": "text\u202eevil"}})
    result = run(example, "import", str(sheet))
    assert result.exit_code == 1 and "cell Answers!G2 holds invisible control characters" \
        in result.stderr
    unchanged(example)


def test_what_is_no_workbook_is_refused(example: Path, tmp_path: Path) -> None:
    csv = tmp_path / "svar.xlsx"
    csv.write_text("Id;Kommentar\n1.1.1;hej\n", encoding="utf-8")
    result = run(example, "import", str(csv))
    assert result.exit_code == 1 and "not an xlsx workbook" in result.stderr
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 2**20))
    assert bomb.stat().st_size < 2**20
    result = run(example, "import", str(bomb))
    assert result.exit_code == 1 and "unpacks to 51 MB, more than 50 MB" in result.stderr
    unchanged(example)


def test_too_many_rows_are_refused(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from malpl.answers import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    result = run(example, "import", str(export(example)))
    assert result.exit_code == 1 and "more than 5 rows" in result.stderr


def test_a_value_is_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_bytes(b'id: "1"\r\nfollowups:\r\n  T1-2023:\r\n    assessment:   # kept\r\n'
                     b"    comment: |\r\n      old\r\n\r\n    value: 3  # kept too\r\n")
    plan = Plan(tmp_path)
    edit = plan.file(path, "g.yaml")
    base = ("followups", "T1-2023")
    edit.set(base, "assessment", "uppfyllt")
    edit.set(base, "value", 4.5)
    edit.set(base, "ready", True)
    plan.apply()
    assert path.read_bytes() == (b'id: "1"\r\nfollowups:\r\n  T1-2023:\r\n'
                                 b"    assessment: uppfyllt   # kept\r\n"
                                 b"    comment: |\r\n      old\r\n\r\n"
                                 b"    value: 4.5  # kept too\r\n    ready: true\r\n")
