"""Problems are values: every finding carries file, position, code, message and hint.

They are formatted in exactly one place (this module) so that text, JSON and
GitHub annotations always say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

from malpl.i18n import N_, _
from malpl.output import json_text
from malpl.text import visible_line

Severity = Literal["error", "warning"]
#: How a severity reads in the text output (in JSON and annotations it is the identifier).
SEVERITIES: dict[str, str] = {"error": N_("error"), "warning": N_("warning")}

#: Every problem code malpl reports, with what it means. Codes are stable:
#: CI configurations and people's habits depend on them.
CODES: dict[str, str] = {
    "encoding": N_("the file is not UTF-8 text"),
    "unreadable": N_("the file cannot be read at all (missing, a pipe or device, a dead link, too large)"),
    "outside-repository": N_("a link in goals/ that leads outside the repository (not followed)"),
    "yaml-syntax": N_("the file is not valid YAML"),
    "empty-file": N_("the file holds no data"),
    "duplicate-key": N_("a key appears twice in one mapping"),
    "alias": N_("YAML aliases or merge keys, which hide where text comes from"),
    "tag": N_("a YAML tag such as !!python/object"),
    "unknown-field": N_("a key the format does not have (often a typo)"),
    "missing-field": N_("a required key is missing"),
    "wrong-type": N_("a value of the wrong kind (text, number, list, mapping)"),
    "empty-text": N_("a text that must not be empty is empty"),
    "invalid-value": N_("a value outside the allowed choices or form"),
    "invalid-id": N_("an id with characters ids cannot hold"),
    "duplicate-id": N_("an id used twice in the repository"),
    "unknown-level": N_("a goal level not listed in malpl.yaml"),
    "unknown-body": N_("a goal whose body (its 'body:' key or its folder) is not listed in malpl.yaml"),
    "unknown-reference": N_("a reference (parent, baseline, target) to something that does not exist"),
    "parent-level": N_("a parent goal that is not on a higher level"),
    "invalid-period": N_("a period or year key that is malformed or not in the scheme"),
    "unknown-assessment": N_("an assessment or forecast not on the scale"),
    "value-range": N_("a number outside its sensible range (e.g. a percentage above 100)"),
    "invalid-range": N_("a range or target whose low end is above its high end"),
    "assessment-contradicts-rule": N_("an indicator's hand-set assessment differs from what "
                                      "its rule and value give (warning)"),
    "duplicate-measure": N_("the same measure listed twice under one goal (warning)"),
    "ready-without-comment": N_("a follow-up marked ready that has no comment (warning)"),
    "control-character": N_("a text holds control or bidi characters, shown as symbols (warning)"),
    "kolada-unknown": N_("a KPI or comparison id that Kolada does not know (found by a pull)"),
    "kolada-not-pulled": N_("a Kolada measure whose figures were never pulled (warning)"),
    "kolada-conflict": N_("an own value that differs from the one pulled from Kolada; the own "
                       "value is shown (warning)"),
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
    severity = _(SEVERITIES[problem.severity])
    head = f"{where}: {severity}[{problem.code}]: {visible_line(problem.message)}"
    if problem.hint:
        return head + "\n    " + _("hint: {hint}").format(hint=visible_line(problem.hint))
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
