"""``malpl report`` and ``malpl site``: the period's report as a document, the goals as a website."""

from __future__ import annotations

from argparse import Namespace
from pathlib import PurePath

from malpl.commands.common import fail, load_valid
from malpl.i18n import _, language, ngettext
from malpl.output import echo, write

# The file endings that say a format, as a person names a report.
ENDINGS = {".md": "md", ".markdown": "md", ".docx": "docx", ".html": "html", ".htm": "html"}


def report_format(given: str | None, output: str | None) -> str:
    """The format asked for: ``--format``, else the ending of ``-o``, else DOCX.

    A name whose ending says another format is refused (a Word file named .html opens
    as nothing in a browser); an ending malpl does not write needs ``--format``.
    """
    if not output or output == "-":
        return given or "docx"
    path = PurePath(output)
    suffix = (path.suffix or (path.name if path.name.startswith(".") else "")).lower()
    implied = ENDINGS.get(suffix)
    if given is None and implied is None and suffix:
        fail(_("malpl does not write '{ending}' files").format(ending=suffix),
             _("end the name with .docx, .html or .md, or choose the format with --format"),
             code=2)
    if given is not None and implied is not None and implied != given:
        name = path.parent / f"{path.stem if path.suffix else 'rapport'}.{given}"
        fail(_("'{name}' is named as a {ending} file, but --format is {format}").format(
                 name=output, ending=suffix, format=given),
             _("name it {name}, or leave out --format").format(name=name), code=2)
    return given or implied or "docx"


def report(args: Namespace) -> None:
    import datetime as dt

    from malpl import swedish
    from malpl.dating import dating
    from malpl.views import resolve_period

    fmt = report_format(args.format, args.output)
    repo = load_valid(args.root, args.at)
    chosen = resolve_period(repo, args.period, written=True)
    try:
        given = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        fail(_("'{date}' is not a date").format(date=args.date), _("write it as 2024-05-20"),
             code=2)
    with dating(args.root, repo, chosen, given, at=args.at) as date:
        from malpl import report as reports  # imported while git looks for the date
        from malpl.report.templating import load_jinja

        load_jinja()
    day, why = date()
    shown = swedish.date(day) if day and language() == "sv" else day
    notes = [_("dated {day}: {why}").format(day=shown, why=why)] if why.today else []
    options = {"templates": args.templates, "allow_filters": args.allow_filters, "notes": notes,
               "today": day, "bodies": args.body, "level": args.level}
    if args.output == "-":
        if fmt == "docx":
            fail(_("DOCX cannot be written to stdout"),
                 _("give a file with -o, or use --format md"), code=2)
        text = (reports.markdown_text(repo, chosen, templates=args.templates, today=day,
                                      bodies=args.body, level=args.level)
                if fmt == "md" else reports.html_text(repo, chosen, **options))
        write(text)
    else:
        path = reports.write_report(
            repo, chosen, fmt,
            reports.output_path(args.output) if args.output else None,
            reference_doc=args.reference_doc, force=args.force, **options)
        echo(_("wrote {path}").format(path=path))
    for note in notes:
        echo(_("note: {note}").format(note=note), err=True)


def site(args: Namespace) -> None:
    from malpl.site import write_site
    from malpl.swedish import number
    from malpl.views import latest_closed, resolve_period

    repo = load_valid(args.root, args.at)
    chosen = (resolve_period(repo, args.period, written=True) if args.period
              else latest_closed(repo))
    output = args.output or args.root / "site"
    count = write_site(repo, chosen, output, draft=args.draft, at=args.at)
    echo(ngettext("wrote {folder} ({n} file, up to {period})",
                  "wrote {folder} ({n} files, up to {period})", count).format(
                      folder=output, n=number(count), period=chosen))
