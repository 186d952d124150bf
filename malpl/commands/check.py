"""``malpl check`` and ``malpl schema``: is every file valid, and the format for editors."""

from __future__ import annotations

import os
from argparse import Namespace
from typing import Any

from malpl.i18n import _, ngettext
from malpl.output import echo, write


def check(args: Namespace) -> int:
    from malpl.checks import check as run_check
    from malpl.problems import format_text, to_json

    result = run_check(args.root, args.paths or ())
    if args.format == "json":
        echo(to_json(result.problems, result.summary()))
    elif args.format == "gitlab":
        from malpl.lifecycle.ci import gitlab_json

        echo(gitlab_json(result.problems))
    else:
        lines = (_github(result.problems) if args.format == "github"
                 else [format_text(p) for p in _from_here(args, result.problems)])
        for line in lines:
            echo(line)
        echo(verdict(result.summary(), failed=result.failed(strict=args.strict)),
             err=args.format == "github")
    return 1 if result.failed(strict=args.strict) else 0


def verdict(s: dict[str, int], *, failed: bool) -> str:
    """The last line: whether the check passed, and what it looked at."""
    counts = [ngettext("{n} file", "{n} files", s["files"]).format(n=s["files"]),
              ngettext("{n} goal", "{n} goals", s["goals"]).format(n=s["goals"]),
              ngettext("{n} target", "{n} targets", s["targets"]).format(n=s["targets"]),
              ngettext("{n} measure", "{n} measures", s["measures"]).format(n=s["measures"])]
    found = [ngettext("{n} error", "{n} errors", s["errors"]).format(n=s["errors"]),
             ngettext("{n} warning", "{n} warnings", s["warnings"]).format(n=s["warnings"])]
    return (_("FAILED: {counts}; {found}") if failed else _("ok: {counts}; {found}")).format(
        counts=", ".join(counts), found=", ".join(found))


def _from_here(args: Namespace, problems: list[Any]) -> list[Any]:
    """Problems with paths a person can open from where they ran malpl: when it found the
    repository above the current folder, as git does, relative to that folder."""
    if not args.found_root or str(args.root) == ".":
        return problems
    import msgspec

    return [msgspec.structs.replace(p, path=os.path.relpath(args.root / p.path))
            for p in problems]


def _github(problems: list[Any]) -> list[str]:
    """Annotations up to GitHub's limits; the rest into the job summary when there is one,
    else as plain lines in the log."""
    from malpl.lifecycle.ci import github_annotations, summary_markdown
    from malpl.problems import format_text

    shown, rest = github_annotations(problems)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if rest and summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(rest))
        return [*shown, ngettext("{n} more problem is listed in the job summary",
                                 "{n} more problems are listed in the job summary",
                                 len(rest)).format(n=len(rest))]
    return shown + [format_text(p) for p in rest]


def schema(args: Namespace) -> None:
    from malpl.schema import json_schema_text

    write(json_schema_text(args.kind))
