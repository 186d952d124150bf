"""The two failures that are not problems in a file: the environment's, and the asker's.

Bad input in a file is never an exception; it is a :class:`~malpl.problems.Problem`.
"""

from __future__ import annotations


class MalplError(Exception):
    """An environment failure (not a git repository, pandoc missing, …)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(MalplError):
    """What was asked for cannot be understood: a period, body, level or revision that is
    not one. The person's mistake in asking, not a failure; the command exits 2."""
