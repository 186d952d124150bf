"""Check results in the forms CI systems read: GitLab code quality, GitHub annotations.

GitHub shows at most 10 error and 10 warning annotations per step; the rest
would vanish, so they go into the job summary ($GITHUB_STEP_SUMMARY) instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from malpl.i18n import ngettext
from malpl.output import json_text
from malpl.problems import Problem, format_github, format_text

ANNOTATION_LIMIT = 10  # per severity and step


def gitlab_json(problems: Sequence[Problem]) -> str:
    """A GitLab code-quality report; the fingerprint stays the same while the problem does."""
    return json_text([{
        "description": p.message + (f" ({p.hint})" if p.hint else ""),
        "check_name": f"malpl {p.code}",
        "fingerprint": hashlib.sha256(
            f"{p.path}\0{p.line}\0{p.code}\0{p.message}".encode()).hexdigest(),
        "severity": "major" if p.is_error else "minor",
        "location": {"path": p.path, "lines": {"begin": p.line}},
    } for p in problems])


def github_annotations(problems: Sequence[Problem]) -> tuple[list[str], list[Problem]]:
    """The annotation lines GitHub will show, and the problems beyond its limits."""
    shown: list[str] = []
    rest: list[Problem] = []
    counts = {"error": 0, "warning": 0}
    for problem in problems:
        counts[problem.severity] += 1
        if counts[problem.severity] <= ANNOTATION_LIMIT:
            shown.append(format_github(problem))
        else:
            rest.append(problem)
    return shown, rest


def summary_markdown(rest: Sequence[Problem]) -> str:
    """The problems GitHub would not annotate, as a list for the job summary."""
    more = ngettext("{n} more problem", "{n} more problems", len(rest)).format(n=len(rest))
    lines = [f"### malpl check: {more}", ""]
    lines += ["- `" + format_text(p).splitlines()[0].replace("`", "'") + "`" for p in rest]
    return "\n".join(lines) + "\n"
