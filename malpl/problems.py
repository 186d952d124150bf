"""Problems are values: every finding carries file, position, code, message and hint.

They are formatted in exactly one place (this module) so that text, JSON and
GitHub annotations always say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

from malpl.output import json_text
from malpl.text import visible_line

Severity = Literal["error", "warning"]

#: Every problem code malpl reports, with what it means. Codes are stable:
#: CI configurations and people's habits depend on them.
CODES: dict[str, str] = {
    "encoding": "the file is not UTF-8 text",
    "unreadable": "the file cannot be read at all (missing, a pipe or device, a dead link, too large)",
    "outside-repository": "a link in goals/ that leads outside the repository (not followed)",
    "yaml-syntax": "the file is not valid YAML",
    "empty-file": "the file holds no data",
    "duplicate-key": "a key appears twice in one mapping",
    "alias": "YAML aliases or merge keys, which hide where text comes from",
    "tag": "a YAML tag such as !!python/object",
    "unknown-field": "a key the format does not have (often a typo)",
    "missing-field": "a required key is missing",
    "wrong-type": "a value of the wrong kind (text, number, list, mapping)",
    "empty-text": "a text that must not be empty is empty",
    "invalid-value": "a value outside the allowed choices or form",
    "invalid-id": "an id with characters ids cannot hold",
    "duplicate-id": "an id used twice in the repository",
    "unknown-level": "a goal level not listed in malpl.yaml",
    "unknown-body": "a goal whose body (its 'body:' key or its folder) is not listed in malpl.yaml",
    "unknown-reference": "a reference (parent, baseline, target) to something that does not exist",
    "parent-level": "a parent goal that is not on a higher level",
    "invalid-period": "a period or year key that is malformed or not in the scheme",
    "unknown-assessment": "an assessment or forecast not on the scale",
    "value-range": "a number outside its sensible range (e.g. a percentage above 100)",
    "invalid-range": "a range or target whose low end is above its high end",
    "duplicate-measure": "the same measure listed twice under one goal (warning)",
    "ready-without-comment": "a follow-up marked ready that has no comment (warning)",
    "control-character": "a text holds control or bidi characters, shown as symbols (warning)",
    "kolada-unknown": "a KPI or comparison id that Kolada does not know (found by a pull)",
    "kolada-not-pulled": "a Kolada measure whose figures were never pulled (warning)",
    "kolada-conflict": "an own value that differs from the one pulled from Kolada; the own "
                       "value is shown (warning)",
}


class Problem(msgspec.Struct, frozen=True, order=True):
    """One finding in one file. Field order is the sort order of reports."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __post_init__(self) -> None:
        assert self.code in CODES, f"unregistered problem code {self.code!r}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """Return (errors, warnings)."""
    errors = warnings = 0
    for p in problems:
        if p.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def format_text(problem: Problem) -> str:
    """A line for the problem and one for its hint; a line break in the file's name or in
    a value quoted in the message (``a\\nb.yaml``) is shown, and does not start a line."""
    where = f"{visible_line(problem.path)}:{problem.line}:{problem.column}"
    head = f"{where}: {problem.severity}[{problem.code}]: {visible_line(problem.message)}"
    if problem.hint:
        return f"{head}\n    hint: {visible_line(problem.hint)}"
    return head


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(problem: Problem) -> str:
    """A GitHub Actions workflow command, so CI annotates the right line."""
    message = problem.message + (f"\n{problem.hint}" if problem.hint else "")
    return (
        f"::{problem.severity} file={_escape_github(problem.path, prop=True)},"
        f"line={problem.line},col={problem.column},"
        f"title={_escape_github('malpl ' + problem.code, prop=True)}::{_escape_github(message)}"
    )


def to_json(problems: Iterable[Problem], summary: dict[str, int]) -> str:
    return json_text({"problems": [msgspec.structs.asdict(p) for p in problems], "summary": summary})
