"""Follow-ups answered in a spreadsheet by people who never open a terminal.

``malpl todo PERIOD --format xlsx`` hands out a workbook with one row per follow-up that
is still to be written (:mod:`malpl.answers.workbook`); ``malpl import FILE`` reads it
back without trusting it (:mod:`malpl.answers.reading`) and writes the answers into the
goal files through the line-splicing editor (:mod:`malpl.answers.importing`).

Each row carries a fingerprint of its follow-up as it was when the sheet was made: the
follow-up's own fields, its file, its id and the period. Not of the whole file, since
other rows of the same file may have been answered in another person's sheet and
imported already.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from malpl.checks import followups
from malpl.i18n import N_
from malpl.model import FollowUp, Goal
from malpl.repository import Repository

#: The layout of the answer sheet; a sheet of another layout is refused.
LAYOUT = "1"
#: The hidden sheet with what the workbook is: its layout, period, repository and version.
META = "malpl"
#: The columns of the answer sheet, in order, as (header, what to do with it).
COLUMNS = (
    N_("Id"), N_("Goal"), N_("Responsible"), N_("Assessment"), N_("Forecast"), N_("Value"),
    N_("Comment"), N_("Ready"), N_("Last assessment"), N_("Last comment"), N_("Fingerprint"),
)
(ID, TEXT, WHO, ASSESSMENT, FORECAST, VALUE, COMMENT, READY, LAST_ASSESSMENT, LAST_COMMENT,
 PRINT) = range(len(COLUMNS))
#: The cells a person answers, and the key each goes to in the goal file.
ANSWERS = {ASSESSMENT: "assessment", FORECAST: "forecast", VALUE: "value", COMMENT: "comment",
           READY: "ready"}


@dataclass(frozen=True)
class Place:
    """Where a follow-up lives: its goal file, the path to its ``followups`` in that file."""

    goal: Goal
    path: str  # the goal file, relative to the repository ("goals/1.1.yaml")
    base: tuple[str | int, ...]
    ident: str
    follow: dict[str, FollowUp]


def places(repo: Repository) -> dict[str, Place]:
    """Every goal, target and indicator that can be followed up, by id."""
    return {ident: Place(goal, goal.source.path, base, ident, follow)
            for goal in repo.goals for base, ident, follow in followups(goal)}


def fields(entry: FollowUp | None) -> dict[str, Any] | None:
    return None if entry is None else {"assessment": entry.assessment,
                                       "forecast": entry.forecast, "value": entry.value,
                                       "comment": entry.comment, "ready": entry.ready}


def fingerprint(place: Place, period: str) -> str:
    """What the follow-up of ``place`` in ``period`` holds now, as a short hash."""
    data = [place.path, place.ident, period, fields(place.follow.get(period))]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
