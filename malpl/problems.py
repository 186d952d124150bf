"""Problems are values: every finding carries file, position, code, message and hint.

They are formatted in exactly one place (this module) so that text, JSON and
GitHub annotations always say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in one file. Field order is the sort order of reports."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = "error"

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
    head = f"{problem.path}:{problem.line}:{problem.column}: {problem.severity}[{problem.code}]: {problem.message}"
    if problem.hint:
        return f"{head}\n    hint: {problem.hint}"
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
    return json.dumps(
        {"problems": [asdict(p) for p in problems], "summary": summary},
        ensure_ascii=False,
        indent=2,
    )
