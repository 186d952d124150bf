"""Run malpl's command line in this process and capture what it prints and its exit code."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from malpl.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved, as a terminal shows them


class _Stream(io.StringIO):
    """One of stdout and stderr: keeps its own text and adds it to the shared record."""

    encoding = "utf-8"

    def __init__(self, shared: list[str]) -> None:
        super().__init__()
        self.shared = shared

    def write(self, text: str) -> int:
        self.shared.append(text)
        return super().write(text)


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(args: Sequence[str], env: dict[str, str] | None = None, input: str = "") -> Result:
    """``malpl ARGS`` with ``env`` added to the environment and ``input`` on stdin."""
    shared: list[str] = []
    out, err = _Stream(shared), _Stream(shared)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(input), out, err
    try:
        with _environment(env or {}):
            main([str(a) for a in args])
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    else:  # main always exits
        raise AssertionError("malpl.cli.main returned instead of exiting")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue(), err.getvalue(), "".join(shared))
