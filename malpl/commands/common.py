"""What several commands share: failing with a hint, loading a valid repository, printing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from malpl import i18n
from malpl.i18n import _, ngettext
from malpl.output import echo, write

if TYPE_CHECKING:
    from malpl.repository import Repository


def fail(message: str, hint: str = "", code: int = 1) -> NoReturn:
    """``error: …`` and a hint on stderr, then exit ``code`` (2 for usage errors)."""
    echo(_("error: {message}").format(message=message), err=True)
    if hint:
        echo("    " + _("hint: {hint}").format(hint=hint), err=True)
    raise SystemExit(code)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Loading and rendering 100 000 targets make millions of small objects and no garbage
    cycles; the collector's full passes over them made the time grow faster than the size."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def print_rich(renderable: Any) -> None:
    """On a terminal as Rich draws it; into a pipe or a file as plain lines without the
    spaces Rich pads them with, so that the text diffs, pastes and greps cleanly."""
    from malpl.terminal import console

    screen = console()
    with paused_gc():
        if screen.is_terminal or screen.color_system is not None:
            screen.print(renderable)
            return
        with screen.capture() as captured:
            screen.print(renderable)
    write("\n".join(line.rstrip(" ") for line in captured.get().split("\n")))


def print_json(data: Any) -> None:
    from malpl.output import json_text

    echo(json_text(data))


def load_valid(root: Path, at: str | None = None) -> Repository:
    """The repository (as it was at git revision ``at``), or exit 1 pointing at
    `malpl check` when it is invalid."""
    from malpl.checks import validate
    from malpl.problems import format_text
    from malpl.repository import load_at

    with paused_gc():
        repo = load_at(root, at)
        i18n.use(repo.config.language)
        errors = [p for p in validate(repo) if p.is_error]
    if errors:
        for problem in errors[:5]:
            echo(format_text(problem), err=True)
        in_config = [p.path.endswith("malpl.yaml") for p in errors]
        n = len(errors)
        if all(in_config):
            message = ngettext("malpl.yaml has {n} error", "malpl.yaml has {n} errors", n)
        elif any(in_config):
            message = ngettext("malpl.yaml and the goal files have {n} error",
                               "malpl.yaml and the goal files have {n} errors", n)
        else:
            message = ngettext("the goal files have {n} error",
                               "the goal files have {n} errors", n)
        more = " " + _("(and {n} more)").format(n=n - 5) if n > 5 else ""
        fail(message.format(n=n) + more,
             _("run 'malpl check' to see them all, fix them, and try again"))
    return repo


def apply_plan(plan: Any, dry_run: bool, done: str) -> None:
    """Print the plan as a diff, or write it; ``done`` says what was written."""
    if plan.empty:
        echo(_("nothing to change"))
    elif dry_run:
        write(plan.diff())
    else:
        names = plan.apply()
        echo(ngettext("{done} in {n} file", "{done} in {n} files", len(names)).format(
            done=done, n=len(names)))
