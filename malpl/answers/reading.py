"""Read an answered workbook without trusting it.

The zip directory is looked at before anything is parsed: more than 50 MB unpacked is
refused (a zip bomb says so there; Python's zipfile never unpacks more than an entry
declares). The sheet is then read twice with openpyxl in read-only mode: once for the
formulas, once for the values the spreadsheet program cached. A formula is never
computed; one without a cached value is refused by its cell. Text cells get the checks a
goal file's text gets: no control or bidi characters, and no more than a cell holds.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from malpl.answers import COLUMNS, LAYOUT, META
from malpl.i18n import _
from malpl.repository import MalplError
from malpl.text import invisible_characters, visible_line

MAX_UNPACKED = 50 * 2**20
MAX_ROWS = 20_000
MAX_TEXT = 32_767  # what one Excel cell holds
RESAVE = "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"


@dataclass
class Answered:
    """What a workbook holds: its hidden description, and each row's cells by number."""

    name: str  # the workbook's file name, as messages show it
    meta: dict[str, str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _refuse(name: str, why: str, hint: str) -> MalplError:
    return MalplError(_("{name}: {why}").format(name=name, why=why),
                      hint + "; " + _("nothing was changed"))


def _directory(path: Path, name: str) -> None:
    """Refuse what is no xlsx, or would unpack to too much, from its zip directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise _refuse(name, _("this is not an xlsx workbook (it is not a zip file)"),
                      _(RESAVE)) from err
    if not any(e.filename == "xl/workbook.xml" for e in entries):
        raise _refuse(name, _("this is not an xlsx workbook (no xl/workbook.xml)"), _(RESAVE))
    size = sum(e.file_size for e in entries)
    if size > MAX_UNPACKED:
        raise _refuse(name, _("the workbook unpacks to {size} MB, more than {most} MB").format(
            size=size // 2**20, most=MAX_UNPACKED // 2**20),
            _("an answer sheet is a few hundred kilobytes; make a new one with 'malpl todo "
              "PERIOD --format xlsx'"))


def _text(name: str, where: str, value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    found = invisible_characters(text.replace("\t", " "))
    if found:
        raise _refuse(name, _("cell {cell} holds invisible control characters ({found})")
                      .format(cell=where, found=", ".join(found[:3])),
                      _("retype the text of the cell without them"))
    if len(text) > MAX_TEXT:
        raise _refuse(name, _("cell {cell} holds {n} characters, more than {most}").format(
            cell=where, n=len(text), most=MAX_TEXT), _("shorten the text"))
    return text


def read(path: Path) -> Answered:
    """The rows of the answer sheet at ``path``, their formulas replaced by cached values."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = visible_line(str(path))
    if not path.is_file():
        raise MalplError(_("{name} is not a file").format(name=name),
                         _("give the path of the answered .xlsx file"))
    _directory(path, name)
    try:
        books = [load_workbook(path, read_only=True, data_only=only) for only in (False, True)]
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise _refuse(name, _("the workbook cannot be read ({reason})").format(
            reason=visible_line(str(err))[:200]), _(RESAVE)) from err
    try:
        if META not in books[0].sheetnames:
            raise _refuse(name, _("this is not an answer sheet malpl made (no hidden sheet "
                                  "'{meta}')").format(meta=META),
                          _("answer in a sheet made with 'malpl todo PERIOD --format xlsx'"))
        meta = {str(k): str(v) for k, v, *_rest in books[1][META].iter_rows(
            max_col=2, max_row=20, values_only=True) if k is not None and v is not None}
        if meta.get("layout") != LAYOUT or meta.get("sheet") not in books[0].sheetnames:
            raise _refuse(name, _("the sheet was made by another version of malpl, or its "
                                  "hidden sheet was changed"),
                          _("make a new sheet with 'malpl todo PERIOD --format xlsx'"))
        title = meta["sheet"]
        formulas, values = books[0][title], books[1][title]
        if (formulas.max_row or 0) > MAX_ROWS + 1:
            raise _too_many(name)
        result = Answered(name, meta)
        pairs = zip(formulas.iter_rows(min_row=2, max_col=len(COLUMNS)),
                    values.iter_rows(min_row=2, max_col=len(COLUMNS), values_only=True),
                    strict=False)
        for number, (cells, cached) in enumerate(pairs, 2):
            if number > MAX_ROWS + 1:
                raise _too_many(name)
            row: list[Any] = []
            for column, (cell, value) in enumerate(zip(cells, cached, strict=False), 1):
                where = f"{title}!{get_column_letter(column)}{number}"
                if getattr(cell, "data_type", None) == "f" and value is None:
                    raise _refuse(name, _("cell {cell} holds a formula without a value "
                                          "({formula}); malpl never computes formulas").format(
                                      cell=where, formula=visible_line(str(cell.value))[:80]),
                                  _("type the text or number itself in the cell"))
                row.append(_text(name, where, value) if isinstance(value, str) else value)
            if any(v not in (None, "") for v in row):
                result.rows.append((number, row + [None] * (len(COLUMNS) - len(row))))
        return result
    finally:
        for book in books:
            book.close()


def _too_many(name: str) -> MalplError:
    return _refuse(name, _("the sheet has more than {most} rows").format(most=MAX_ROWS),
                   _("an answer sheet has one row per follow-up; make a new one with 'malpl "
                     "todo PERIOD --format xlsx'"))
