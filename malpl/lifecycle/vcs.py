"""The few git operations the year's commands need: is it committed, tag it, start it."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from malpl.git import _git
from malpl.i18n import _
from malpl.repository import MalplError


def changed(root: Path, paths: list[str]) -> list[str]:
    """Files under ``paths`` that differ from the last commit (or are not in it)."""
    out = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", *paths)
    return [entry[3:] for entry in out.decode("utf-8", "replace").split("\0") if entry[3:]]


def tag_exists(root: Path, name: str) -> bool:
    return bool(_git(root, "tag", "--list", name).strip())


def commit(root: Path, names: list[str], message: str) -> None:
    """Commit ``names`` only, whatever else is staged."""
    _git(root, "commit", "-q", "-m", message, "--", *names)


def tag(root: Path, name: str, message: str) -> None:
    if name.startswith("-"):
        raise MalplError(_("'{name}' cannot be a tag name").format(name=name),
                         _("start it with a letter or digit"))
    _git(root, "check-ref-format", f"refs/tags/{name}")
    _git(root, "tag", "-a", name, "-m", message)


def textconv_command() -> str:
    """The diff driver for this clone: this very malpl, by its full path. git runs it for
    every goal file it shows, and a ``malpl`` it cannot find makes ``git diff`` fail."""
    return f"{shlex.quote(sys.executable)} -m malpl textconv"


def init_and_commit(root: Path, names: list[str], message: str) -> None:
    """``git init``, the diff driver for goal files, and a first commit of ``names`` only."""
    _git(root, "init", "-q")
    _git(root, "config", "diff.malpl.textconv", textconv_command())
    _git(root, "add", "--", *names)
    _git(root, "commit", "-q", "-m", message, "--", *names)
