"""``import``: the answers of a spreadsheet made by ``todo --format xlsx``, into the goal files."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from malpl.commands.common import load_valid
from malpl.i18n import _, ngettext
from malpl.output import echo, write


def import_answers(args: Namespace) -> None:
    from malpl.answers.importing import plan_import
    from malpl.answers.reading import read

    repo = load_valid(args.root)
    result = plan_import(repo, read(Path(args.file)))
    plan = result.plan
    if plan.empty:
        echo(_("nothing to import: the goal files hold these answers already"))
        return
    if args.dry_run:
        write(plan.diff())
        return
    files = plan.apply()
    n = len(result.written)
    echo(ngettext("imported the answers of {n} follow-up into {files}",
                  "imported the answers of {n} follow-ups into {files}", n).format(
        n=n, files=", ".join(files)))
    echo("    " + _("review the change with 'git diff', run 'malpl check', then commit it"))
