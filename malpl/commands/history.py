"""``diff``, ``log`` and ``textconv``: the goals through git, in goal terms."""

from __future__ import annotations

from argparse import Namespace

from malpl.commands.common import print_json
from malpl.i18n import _, language
from malpl.output import echo, write


def diff(args: Namespace) -> None:
    from malpl import diff as diffs

    result = diffs.diff_revisions(args.root, args.revisions, args.body)
    for note in result.notes:
        echo(_("note: {note} (left out of the comparison)").format(note=note), err=True)
    if args.format == "json":
        print_json(result.as_dict())
    elif args.format == "md":
        echo(diffs.format_markdown(result.changes, result.config, result.title))
    else:
        echo(diffs.format_text(result.changes, result.config))


def _day(iso: str) -> str:
    """A commit's date (YYYY-MM-DD) as its reader writes dates: "15 maj 2023" in Swedish."""
    if language() != "sv":
        return iso
    import datetime as dt

    from malpl.swedish import date

    try:
        return date(dt.date.fromisoformat(iso))
    except ValueError:
        return iso


def log(args: Namespace) -> None:
    from malpl import diff as diffs
    from malpl.repository import read_config

    entries = diffs.history(args.root, args.ident, args.body)
    if not entries and args.body:  # a body that once was is fine; one that never was is a typo
        from malpl.views import chosen_bodies

        chosen_bodies(read_config(args.root), args.body)
    if args.format == "json":
        print_json([{"commit": e.commit.sha, "date": e.commit.date, "author": e.commit.author,
                     "subject": e.commit.subject, "notes": e.notes,
                     "changes": [c.as_dict() for c in e.changes]}
                    for e in entries])
        return
    config = read_config(args.root)
    for entry in entries:
        c = entry.commit
        echo(_("{commit} {date} {author}: {subject}").format(
            commit=c.sha[:10], date=_day(c.date), author=c.author, subject=c.subject))
        for note in entry.notes:
            echo("    " + _("note: {note}").format(note=note))
        for change in entry.changes:
            echo(f"    {diffs.describe(change, config)}")
    if not entries:
        echo(_("No commits changed {what}.").format(what=args.ident or ", ".join(args.body)))


def textconv(args: Namespace) -> None:
    from malpl.textconv import textconv as convert

    write(convert(args.file, args.root))
