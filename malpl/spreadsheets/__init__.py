"""Spreadsheets that Swedish Excel opens right: the one writer of every table malpl hands
out as CSV or xlsx (``status``, ``todo``, ``show``, ``measures``; later the site's open
data and the follow-ups that come back from a spreadsheet).

The CSV is Excel's Swedish dialect: UTF-8 with a byte order mark (without it Excel reads
å, ä and ö as Windows-1252), ``;`` between cells (the comma is the decimal sign), numbers
with a decimal comma and no thousands separator, ``ja``/``nej`` for yes and no, and every
text cell in quotes. The xlsx (openpyxl, imported only when one is written) has a frozen
header row, column widths and wrapped text that read well when opened, and a sheet that
says what each column means.

Cells are never formulas. A CSV text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return gets a leading ``'`` (OWASP "CSV injection"); numbers stay
numbers. An xlsx text cell is stored as a string, whatever it starts with. Control and
bidi characters are shown (:func:`malpl.text.visible`), never stored raw.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from malpl.i18n import _, translations
from malpl.repository import MalplError, UsageError
from malpl.text import visible

#: What a spreadsheet treats as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
SEPARATOR = ";"
FORMATS = ("csv", "xlsx")
#: Who wrote an xlsx, in its document properties: a file that says otherwise is a person's.
CREATOR = "malpl"
WIDEST = 60  # characters: a wider column wraps its text
NARROWEST = 6

Cell = str | int | float | bool | None


class Column(NamedTuple):
    """A column: its header, and what it means for the explanation sheet (both shown
    translated: give them marked with ``N_``)."""

    header: str
    meaning: str


class Sheet(NamedTuple):
    """One table: a sheet of the workbook, or the whole CSV."""

    title: str  # marked with N_; at most 31 characters, none of []:*?/\\
    columns: Sequence[Column]
    rows: list[list[Cell]]


def safe_text(text: str) -> str:
    """A text cell no spreadsheet runs: a leading ``'`` before a formula start, and
    control characters shown, not stored."""
    return visible("'" + text if text.startswith(FORMULA_START) else text)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def number_text(value: int | float) -> str:
    """A number as Swedish Excel reads one: ``79,2``, ``5200``, ``-0,5``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).replace(".", ",")


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = _yes_no(value)
    if isinstance(value, int | float):
        return number_text(value)
    return '"' + safe_text(value).replace('"', '""') + '"'


def header_line(sheet: Sheet) -> str:
    return SEPARATOR.join(csv_cell(_(c.header)) for c in sheet.columns)


def csv_text(sheet: Sheet) -> str:
    """The sheet as Swedish Excel's CSV, byte order mark first."""
    lines = [header_line(sheet)] + [SEPARATOR.join(map(csv_cell, row)) for row in sheet.rows]
    return BOM + "\n".join(lines) + "\n"


def _width(values: list[str]) -> int:
    longest = max((len(line) for value in values for line in value.split("\n")), default=0)
    return max(NARROWEST, min(WIDEST, longest + 2))


def xlsx_bytes(sheet: Sheet) -> bytes:
    """The sheet as a workbook: the table, then an explanation of its columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.properties.creator = book.properties.lastModifiedBy = CREATOR
    explanation = [Column(_(c.header), _(c.meaning)) for c in sheet.columns]
    tables = [(book.active, _(sheet.title), [c.header for c in explanation], sheet.rows),
              (book.create_sheet(), _("Explanation"), [_("Column"), _("What it means")],
               [list(c) for c in explanation])]
    for page, title, headers, rows in tables:
        page.title = title
        for r, row in enumerate([headers, *rows], 1):
            for c, value in enumerate(row, 1):
                cell = page.cell(r, c)
                if isinstance(value, bool):
                    value = _yes_no(value)
                if isinstance(value, str):
                    cell.value = visible(value)
                    cell.data_type = "s"  # a string, even when it starts with '='
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    cell.value = value
                    cell.alignment = Alignment(vertical="top")
                cell.font = Font(bold=r == 1)
        for c in range(1, len(headers) + 1):
            shown = [str(row[c - 1]) for row in [headers, *rows] if row[c - 1] is not None]
            page.column_dimensions[get_column_letter(c)].width = _width(shown)
        page.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content(sheet: Sheet, fmt: str) -> bytes:
    return (xlsx_bytes(sheet) if fmt == "xlsx" else csv_text(sheet).encode("utf-8"))


def is_ours(path: Path, fmt: str, known: Sequence[Sheet]) -> bool:
    """Did malpl write ``path``, so that it may be replaced? An xlsx whose properties name
    malpl as its creator and its last editor (Excel names the person who saved it); a CSV
    that starts with the header of one of malpl's ``known`` tables, in any language."""
    try:
        if fmt == "xlsx":
            with zipfile.ZipFile(path) as z:
                core = z.read("docProps/core.xml").decode("utf-8", "replace")
            return all(re.search(f"<{tag}\\b[^>]*>{CREATOR}</{tag}>", core)
                       for tag in ("dc:creator", "cp:lastModifiedBy"))
        with path.open("rb") as handle:
            first = handle.read(1 << 14).decode("utf-8", "replace").split("\n", 1)[0]
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return any(first == BOM + line for sheet in known for line in _headers(sheet))


def _headers(sheet: Sheet) -> set[str]:
    """The sheet's CSV header line in every language."""
    columns = [translations(c.header) for c in sheet.columns]
    return {SEPARATOR.join(f'"{c[i]}"' for c in columns) for i in range(len(columns[0]))}


def write(root: Path, output: str, sheet: Sheet, fmt: str, known: Sequence[Sheet]) -> Path:
    """Write the sheet to ``output`` atomically: a new file, or one malpl wrote; never a
    goal file, malpl.yaml or a person's file."""
    return write_bytes(root, output, content(sheet, fmt), fmt, known)


def write_bytes(root: Path, output: str, data: bytes, fmt: str, known: Sequence[Sheet]) -> Path:
    """Write a spreadsheet's bytes as :func:`write` does (a workbook built elsewhere)."""
    from malpl.files import replace

    if output.endswith(("/", os.sep)):
        raise UsageError(_("'{output}' is a folder, not a file").format(output=visible(output)),
                         _("give a file name, e.g. -o status.{ending}").format(ending=fmt))
    path = Path(output)
    resolved, goals = path.resolve(), (root / "goals").resolve()
    if goals in (resolved, *resolved.parents) or resolved == (root / "malpl.yaml").resolve():
        raise MalplError(_("will not write a spreadsheet to {path}: it is one of the goal "
                           "files").format(path=visible(output)),
                         _("write it elsewhere, e.g. -o status.{ending}").format(ending=fmt))
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise MalplError(_("cannot write {path}: {reason}").format(
            path=visible(output), reason=err.strerror), _("choose another file")) from err
    if mode is not None and not (stat.S_ISREG(mode) and is_ours(path, fmt, known)):
        raise MalplError(_("{path} exists and is not a spreadsheet malpl wrote").format(
            path=visible(output)), _("choose another file name, or move that file away"))
    replace(path, data)
    return path
