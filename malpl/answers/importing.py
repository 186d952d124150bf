"""Bring a workbook's answers into the goal files: validate every row, then plan the edits.

A cell is an answer when it is not empty; an answer the file already holds changes
nothing. A row is written only when its follow-up is what it was when the sheet was made
(the fingerprint); when it has changed since, the row is a no-op if the file already holds
exactly the answer (imported before, or the same answer from another sheet) and refused
otherwise: two sheets answering one follow-up differently are a conflict, never an
overwrite. Nothing is planned unless every row is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from malpl.answers import ANSWERS, ID, PRINT, Place, fields, fingerprint, places
from malpl.answers.reading import Answered
from malpl.i18n import _, ngettext
from malpl.lifecycle.edit import Plan
from malpl.model import NUMBER_LIMIT, Config
from malpl.periods import PeriodError, parse_period
from malpl.repository import MalplError, Repository
from malpl.text import visible_line

_NUMBER = re.compile(r"[-+]?\d+([.,]\d+)?")
YES, NO = {"ja", "yes", "j", "y"}, {"nej", "no", "n"}
SHOWN = 20  # problems listed in one message


class RowError(Exception):
    """One row that cannot be imported (collected, never raised past this module)."""


@dataclass
class Imported:
    plan: Plan
    written: list[str] = field(default_factory=list)  # "goals/1.1.yaml: 1.1.2"
    already: int = 0  # rows whose answers the files hold already


def _step(config: Config, text: str, what: str) -> str:
    wanted = text.strip().casefold()
    for step in config.scale:
        if wanted in (step.label.casefold(), step.key.casefold()):
            return step.key
    raise RowError(_("'{text}' is not on the scale ({what}); choose one of: {labels}").format(
        text=visible_line(text)[:60], what=what,
        labels=", ".join(s.label for s in config.scale)))


def _number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
        if not _NUMBER.fullmatch(text):
            raise RowError(_("the value '{text}' is not a number; write a number such as "
                             "4,5").format(text=visible_line(str(value))[:60]))
        number = float(text.replace(",", ".")) if re.search("[.,]", text) else int(text)
    if abs(number) > NUMBER_LIMIT:
        raise RowError(_("the value {value} is too large").format(value=value))
    return number


def _ready(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in YES or text == _("yes"):
        return True
    if text in NO or text == _("no"):
        return False
    raise RowError(_("'{text}' under Ready is neither 'yes' nor 'no'").format(
        text=visible_line(str(value))[:60]))


def _comment(value: Any) -> str:
    """Paragraphs and line breaks as written; spaces at line ends and blank edges dropped."""
    lines = [line.rstrip() for line in str(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _answers(config: Config, row: list[Any]) -> dict[str, Any]:
    """The row's non-empty answer cells as goal-file values."""
    found: dict[str, Any] = {}
    for column, key in ANSWERS.items():
        value = row[column]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in ("assessment", "forecast"):
            found[key] = _step(config, str(value), _("Assessment") if key == "assessment"
                               else _("Forecast"))
        elif key == "value":
            found[key] = _number(value)
        elif key == "ready":
            found[key] = _ready(value)
        else:
            found[key] = _comment(value)
    return found


def _news(place: Place, period: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers the file does not hold already."""
    now = fields(place.follow.get(period)) or {"ready": False}
    held = {k: _comment(v) if k == "comment" and v is not None else v for k, v in now.items()}
    return {k: v for k, v in answers.items() if held.get(k) != v}


def _period(repo: Repository, answered: Answered) -> str:
    try:
        return str(parse_period(answered.meta.get("period", ""), repo.config.periods.scheme))
    except PeriodError as err:
        raise MalplError(_("{name}: the sheet's period is not valid ({reason})").format(
            name=answered.name, reason=err), _("make a new sheet with 'malpl todo PERIOD "
                                               "--format xlsx'")) from err


def plan_import(repo: Repository, answered: Answered) -> Imported:
    """Every row checked, then the edits of the valid ones; one error naming every bad row."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    period = _period(repo, answered)
    found = places(repo)
    result = Imported(Plan(repo.root))
    problems: list[str] = []
    seen: dict[str, int] = {}
    todo: list[tuple[Place, dict[str, Any]]] = []
    for number, row in answered.rows:
        ident = str(row[ID]).strip() if row[ID] is not None else ""
        where = _("row {row} ({id})").format(row=number, id=visible_line(ident)[:60] or "?")
        try:
            place = found.get(ident)
            if place is None:
                raise RowError(_("no goal or target has this id") if ident else
                               _("the Id cell is empty"))
            if ident in seen:
                raise RowError(_("the id is on row {row} too").format(row=seen[ident]))
            seen[ident] = number
            news = _news(place, period, _answers(repo.config, row))
            if not news:
                result.already += 1
                continue
            if row[PRINT] != fingerprint(place, period):
                raise RowError(_("{file} has changed this follow-up since the sheet was made "
                                 "(another sheet was imported, or someone edited it), and it "
                                 "does not hold this answer").format(file=place.path))
            if period not in place.follow:
                raise RowError(_("{file} has no follow-up for {period}; run 'malpl period open "
                                 "{period}' first").format(file=place.path, period=period))
            todo.append((place, news))
        except RowError as err:
            problems.append(f"{where}: {err}")
    if problems:
        n = len(problems)
        raise MalplError(
            ngettext("{name}: {n} row cannot be imported; nothing was changed",
                     "{name}: {n} rows cannot be imported; nothing was changed", n).format(
                name=answered.name, n=n) + "".join("\n    " + p for p in problems[:SHOWN]),
            _("correct the sheet and import it again; when a follow-up changed since the sheet "
              "was made, make a new sheet with 'malpl todo {period} --format xlsx' and answer "
              "in it").format(period=period))
    for place, news in todo:
        edit = result.plan.file(repo.root / place.path, place.path)
        for key, value in news.items():
            if key == "comment":
                value = LiteralScalarString(value + "\n")
            edit.set((*place.base, "followups", period), key, value)
        result.written.append(f"{place.path}: {place.ident}")
    return result
