"""The workbook ``todo --format xlsx`` hands out: one row per follow-up still to write.

The answer cells (assessment, forecast, value, comment, ready) are the only unlocked
cells of a protected sheet (no password: it guards against slips, not people); the id,
the text, last period's words and the hidden fingerprint are grey and locked. The scale's
labels and ja/nej are drop-downs read from a hidden sheet, which also says what the
workbook is (layout, period, repository, malpl version) for ``import``.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

from malpl.answers import (
    ANSWERS,
    ASSESSMENT,
    COLUMNS,
    COMMENT,
    FORECAST,
    LAST_ASSESSMENT,
    LAST_COMMENT,
    LAYOUT,
    META,
    PRINT,
    READY,
    VALUE,
    Place,
    fingerprint,
    places,
)
from malpl.i18n import N_, _
from malpl.lifecycle.period import _previous
from malpl.text import visible

if TYPE_CHECKING:
    from malpl.periods import Period
    from malpl.repository import Repository
    from malpl.snapshot import TodoItem

#: Column widths in characters, in the order of COLUMNS.
WIDTHS = (10, 45, 18, 18, 18, 10, 70, 8, 18, 45, 10)
GREY = "F2F2F2"
LINE = 15  # points per line of text
TALLEST = 12  # lines a row shows at most; the rest is seen in the cell


def _lines(row: list[Any]) -> int:
    """How many lines the row's tallest cell takes, wrapped at its column's width."""
    return max(sum(max(1, -(-len(line) // max(1, width - 2))) for line in value.split("\n"))
               for value, width in zip(row, WIDTHS, strict=True) if isinstance(value, str)
               ) if any(isinstance(v, str) for v in row) else 1
INSTRUCTIONS = (
    N_("Write your answers on the sheet '{sheet}', one row per goal or target. The white "
       "cells are yours; the grey ones show what is there and are locked."),
    N_("Assessment and Forecast: choose from the list in the cell ({labels})."),
    N_("Value: a number, such as 4,5. Leave it empty when there is nothing to measure."),
    N_("Comment: the comment for the period. Start a new line with Alt+Enter (Option+Enter "
       "on a Mac) and leave an empty line between paragraphs."),
    N_("Ready: choose 'yes' when the row may go into the report, 'no' while you are still "
       "writing."),
    N_("An empty cell changes nothing. Do not change the Id column, add or remove rows or "
       "sheets, or type formulas: write the text or number itself."),
    N_("Save the file as an Excel workbook (.xlsx) and send it back to the person who sent "
       "it to you. They bring your answers into the goal files with 'malpl import'."),
    N_("If someone else has changed one of your rows in the meantime, malpl says so and "
       "changes nothing: you then get a new sheet to answer."),
)


def _row(repo: Repository, place: Place, item: TodoItem, period: Period) -> list[Any]:
    key = str(period)
    now = place.follow.get(key)
    last = _previous(place.follow, period, repo.config.periods.scheme)

    def label(step_key: str | None) -> str | None:
        step = repo.config.step(step_key)
        return step.label if step else step_key

    row: list[Any] = [None] * len(COLUMNS)
    row[:3] = [place.ident, item.target.text, item.target.responsible]
    if now is not None:
        row[ASSESSMENT], row[FORECAST] = label(now.assessment), label(now.forecast)
        row[VALUE], row[COMMENT] = now.value, (now.comment or "").rstrip("\n") or None
        row[READY] = _("yes") if now.ready else _("no")
    if last is not None:
        row[LAST_ASSESSMENT] = label(last.assessment)
        row[LAST_COMMENT] = (last.comment or "").rstrip("\n") or None
    row[PRINT] = fingerprint(place, key)
    return row


def workbook(repo: Repository, period: Period, groups: dict[str, list[TodoItem]]) -> bytes:
    """The answer sheet for the follow-ups in ``groups`` (what ``todo`` finds missing)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from malpl.spreadsheets import CREATOR

    try:  # from the installed package: importing malpl's own __init__ would look upward
        version = metadata.version("malpl")
    except metadata.PackageNotFoundError:
        version = ""
    found = places(repo)
    rows = [_row(repo, found[i.target.id], i, period)
            for items in groups.values() for i in items if i.target.id in found]
    book = Workbook()
    book.properties.creator = book.properties.lastModifiedBy = CREATOR
    sheet = book.active
    sheet.title = _("Answers")
    grey, top = PatternFill("solid", fgColor=GREY), Alignment(wrap_text=True, vertical="top")
    for c, header in enumerate(COLUMNS, 1):
        cell = sheet.cell(1, c, _(header))
        cell.font, cell.alignment, cell.fill = Font(bold=True), top, grey
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(r, c)
            cell.value = visible(value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with '='
            cell.alignment = top
            if c - 1 in ANSWERS:
                cell.protection = Protection(locked=False)
            else:
                cell.fill, cell.font = grey, Font(color="555555")
    for c, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, 2):  # wrapped text shows whole: not every program fits rows
        sheet.row_dimensions[r].height = LINE * min(TALLEST, max(_lines(row), 2))
    sheet.column_dimensions[get_column_letter(PRINT + 1)].hidden = True
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False  # widths may change

    labels = [step.label for step in repo.config.scale]
    meta = book.create_sheet(META)
    for r, pair in enumerate([("layout", LAYOUT), ("period", str(period)),
                              ("repository", repo.config.organisation.name),
                              ("folder", repo.root.name), ("malpl", version),
                              ("sheet", sheet.title)], 1):
        meta.cell(r, 1, pair[0]).data_type = "s"
        meta.cell(r, 2, pair[1]).data_type = "s"
    for r, text in enumerate(labels, 1):
        meta.cell(r, 4, text).data_type = "s"
    for r, text in enumerate((_("yes"), _("no")), 1):
        meta.cell(r, 5, text)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    last = max(len(rows) + 1, 2)
    for column, source in ((ASSESSMENT, f"$D$1:$D${len(labels)}"),
                           (FORECAST, f"$D$1:$D${len(labels)}"), (READY, "$E$1:$E$2")):
        rule = DataValidation(type="list", formula1=f"{META}!{source}", allow_blank=True,
                              showErrorMessage=True, errorTitle=_("Not on the list"),
                              error=_("Choose one of the values in the list."))
        letter = get_column_letter(column + 1)
        rule.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(rule)

    guide = book.create_sheet(_("Instructions"), 1)
    guide.column_dimensions["A"].width = 100
    title = guide.cell(1, 1, _("Follow-up {period}: how to answer").format(period=period))
    title.font = Font(bold=True, size=14)
    for r, text in enumerate(INSTRUCTIONS, 3):
        cell = guide.cell(r, 1, _(text).format(sheet=sheet.title, labels=", ".join(labels)))
        cell.alignment = top
    guide.protection.sheet = True
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
