"""``malpl report`` and ``malpl site``: the period's report as a document, the goals as a website."""

from __future__ import annotations

from argparse import Namespace

from malpl.commands.common import fail, load_valid, plural
from malpl.output import echo, write


def report(args: Namespace) -> None:
    import datetime as dt

    from malpl.dating import dating
    from malpl.views import resolve_period

    repo = load_valid(args.root, args.at)
    chosen = resolve_period(repo, args.period, written=True)
    try:
        given = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        fail(f"'{args.date}' is not a date", "write it as 2024-05-20", code=2)
    with dating(args.root, repo, chosen, given, at=args.at) as date:
        from malpl import report as reports  # imported while git looks for the date
        from malpl.report.templating import load_jinja

        load_jinja()
    day, why = date()
    notes: list[str] = [] if not why.startswith("today") else [f"dated {day}: {why}"]
    options = {"templates": args.templates, "allow_filters": args.allow_filters, "notes": notes,
               "today": day, "bodies": args.body, "level": args.level}
    if args.output == "-":
        if args.format == "docx":
            fail("DOCX cannot be written to stdout", "give a file with -o, or use --format md",
                 code=2)
        text = (reports.markdown_text(repo, chosen, templates=args.templates, today=day,
                                      bodies=args.body, level=args.level)
                if args.format == "md" else reports.html_text(repo, chosen, **options))
        write(text)
    else:
        path = reports.write_report(
            repo, chosen, args.format,
            reports.output_path(args.output) if args.output else None,
            reference_doc=args.reference_doc, force=args.force, **options)
        echo(f"wrote {path}")
    for note in notes:
        echo(f"note: {note}", err=True)


def site(args: Namespace) -> None:
    from malpl.site import write_site
    from malpl.views import resolve_period

    repo = load_valid(args.root, args.at)
    chosen = resolve_period(repo, args.period, written=True)
    count = write_site(repo, chosen, args.output)
    echo(f"wrote {args.output} ({plural(count, 'file')}, up to {chosen})")
