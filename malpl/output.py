"""The one door to stdout and stderr for plain text, JSON and CSV.

Every line malpl prints that is not a Rich table (check, diff, log, messages,
JSON, CSV, a report on stdout) is written here, and here every control, bidi or
separator character is shown with :func:`malpl.text.visible` instead of being
sent to the terminal. JSON keeps the data exact by escaping those characters as
``\\uXXXX``; a CSV's cells are made safe by :mod:`malpl.spreadsheets`. Rich output
goes through :class:`malpl.terminal.SafeConsole`, which applies the same rule to every
segment it renders.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

from malpl.i18n import _
from malpl.text import invisible_characters, visible


class _Closed(io.TextIOBase):
    """Standard output of a process started with it closed (``malpl status >&-``): each
    write fails as writing to a closed descriptor does, which malpl says plainly."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, _("standard output is closed"))


def stand_in_for_closed_streams() -> None:
    """Python leaves ``sys.stdin``, ``sys.stdout`` or ``sys.stderr`` None when the process
    has no such descriptor. Writing output then fails with a message; messages go nowhere,
    and the exit code still tells; there is nothing to read, as from an empty file."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115  (for the process)
    if sys.stdout is None:
        sys.stdout = _Closed()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  (for the process)


def write(text: str, *, err: bool = False) -> None:
    """``text`` as it is, but with every control character shown, not obeyed."""
    (sys.stderr if err else sys.stdout).write(visible(text))


def echo(text: str = "", *, err: bool = False) -> None:
    """One or more lines of plain text."""
    write(text + "\n", err=err)


def json_text(data: Any) -> str:
    """Indented JSON whose strings hold the same characters, none of them raw controls."""
    import json  # here: most commands print no JSON, and every command imports this module

    text = json.dumps(data, ensure_ascii=False, indent=2)
    found = {chr(int(name[2:], 16)) for name in invisible_characters(text)}
    # JSON's own escape for each: a pair of surrogates for a character beyond U+FFFF.
    return text.translate({ord(ch): json.dumps(ch)[1:-1] for ch in found})


def discard_stdout() -> None:
    """The reader of stdout has gone (``malpl status | head``): later writes go nowhere."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
