"""The report as Markdown: the context through the template, and the charts drawn."""

from __future__ import annotations

import base64
import datetime as dt
import os
import struct
import zlib
from functools import cache
from pathlib import Path
from urllib.parse import quote

import msgspec

from malpl import views
from malpl.confined import read_picture
from malpl.dating import report_date
from malpl.i18n import _
from malpl.markdown import wrap
from malpl.periods import Period
from malpl.report.context import report_context, select
from malpl.report.templating import render, template_dirs
from malpl.repository import MalplError, Repository

MIME = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}


class Report(msgspec.Struct):
    """A rendered report before export: Markdown text plus the images it links."""

    markdown: str
    images: dict[str, bytes] = msgspec.field(default_factory=dict)
    image_dir: str = ""
    meta: dict[str, str] = msgspec.field(default_factory=dict)  # title, subtitle, author, date: Markdown
    pending: dict[bytes, str] = msgspec.field(default_factory=dict)  # placeholder: the chart's SVG
    date: dt.date | None = None  # the report's date, the DOCX's created and modified
    contents: bool = False  # a table of contents (``report.contents``; auto: over 20 goals)

    def draw_pending(self) -> dict[bytes, bytes]:
        """The charts left to draw (see ``deferred``), each by the placeholder it replaces."""
        return _real_charts(self.pending)


def render_markdown_report(repo: Repository, period: Period, *, templates: Path | None = None,
                           today: dt.date | None = None, image_dir: str | None = None,
                           bodies: list[str] | None = None, level: str | None = None,
                           target: str = "md", deferred: bool = False) -> Report:
    """The report as Markdown. Images are linked in ``image_dir`` (URL-encoded), or,
    when it is None, inlined as ``data:`` URIs so the text stands alone. ``target`` is
    the format pandoc makes of it ("md", "html" or "docx"): for "html" the measure charts
    are SVG (for HTML, where they are smaller and sharper);
    otherwise they are the same charts as PNG (:mod:`malpl.charts`).

    ``deferred`` leaves the measure charts to draw while pandoc works: the Markdown
    shows a placeholder of the same size for each, a blank PNG pandoc lays out as it
    would the chart, and :meth:`Report.draw_pending` draws the charts to put in its place.
    """
    selection = select(repo, period, bodies, level)
    head, charts = selection.charts
    jobs = list(charts.values())
    if repo.config.report.summary or jobs:  # a report without charts never imports them
        from malpl import charts as png_charts
    images: dict[str, bytes] = {}
    drawn_as_svg: set[str] = set()
    if repo.config.report.summary:
        summary = png_charts.summary_svg(
            selection.summary, views.level_label(repo.config, selection.level), head.caption)
        if target == "html":
            images[head.name] = summary.encode("utf-8")
            drawn_as_svg.add(head.name)
        else:
            images[head.name] = png_charts.png(summary)
    pending: dict[bytes, str] = {}
    if jobs and target == "html":
        from malpl.svgchart import picture

        images.update({c.name: picture(c.measure, c.name.rsplit(".", 1)[0], c.alt)
                       for c in jobs if c.measure is not None})
        drawn_as_svg |= {c.name for c in jobs}
    elif jobs:
        svgs = [png_charts.measure_svg(c.measure) for c in jobs if c.measure is not None]
        if deferred:
            pending = {placeholder(*png_charts.size(svg), i): svg for i, svg in enumerate(svgs)}
        images.update(zip([c.name for c in jobs], pending or _draw(svgs), strict=True))
    logo = _logo(repo)
    if logo is not None:
        images[logo[0]] = logo[1]
    if image_dir is None:
        src = {name: f"data:{MIME['svg' if name in drawn_as_svg else name.rsplit('.', 1)[1]]};"
               "base64,"
               + base64.b64encode(data).decode("ascii") for name, data in images.items()}
    else:
        src = {name: f"{quote(image_dir, safe='')}/{name}" for name in images}
    if today is None:
        today = report_date(repo.root, repo, period, None)[0]
    context = report_context(selection, today, src, logo[0] if logo else None, target)
    markdown = render(template_dirs(repo.root, templates), context)
    if target == "md":  # a file people read: long paragraphs wrapped (pandoc needs no breaks)
        markdown = wrap(markdown)
    meta = {"title": context["document_title"], "subtitle": context["bodies"],
            "author": context["author"], "date": context["date"]}
    return Report(markdown, images, image_dir or "",
                  {k: str(v) for k, v in meta.items() if v is not None},
                  pending, today, _contents(repo.config.report.contents, len(selection.goals)))


# A report of more goals than this gets a table of contents when ``report.contents: auto``.
CONTENTS_FROM = 20


def _contents(option: bool | str, goals: int) -> bool:
    """Whether the report has a table of contents: as chosen, or past 20 goals."""
    return goals > CONTENTS_FROM if option == "auto" else bool(option)


def _logo(repo: Repository) -> tuple[str, bytes] | None:
    """The logo ``report.logo`` names, as the report's picture file; see :func:`read_picture`."""
    name = repo.config.report.logo
    if not name:
        return None
    kind, data = read_picture(repo.root, name, "report.logo")
    return f"logotyp.{kind}", data


def _chunks(png: bytes) -> dict[bytes, bytes]:
    """A PNG's chunks by type (the last of each type)."""
    found, at = {}, 8
    while at + 8 <= len(png):
        size, kind = struct.unpack(">I4s", png[at:at + 8])
        found[kind] = png[at + 8:at + 8 + size]
        at += 12 + size
    return found


def placeholder(width: int, height: int, number: int) -> bytes:
    """A blank PNG of a chart's size and resolution, told apart by its number.

    pandoc reads only these two from a picture to lay it out, so the document it
    writes is the one it would write with the chart in the placeholder's place.
    """
    from malpl.charts import png_file

    return png_file((width, height), 1, 0, _blank(width, height),
                    (b"tEXt", b"Comment\0malpl placeholder %d" % number))


@cache
def _blank(width: int, height: int) -> bytes:
    """The deflated rows of a blank picture, one bit per pixel: made once per size."""
    row = b"\0" + b"\0" * ((width + 7) // 8)  # no filter
    return zlib.compress(row * height, 9)


def same_layout(a: bytes, b: bytes) -> bool:
    """Whether pandoc lays out the two PNGs alike: the same pixels and resolution."""
    one, two = _chunks(a), _chunks(b)
    return one[b"IHDR"][:8] == two[b"IHDR"][:8] and one.get(b"pHYs") == two.get(b"pHYs")


def _real_charts(pending: dict[bytes, str]) -> dict[bytes, bytes]:
    drawn = dict(zip(pending, _draw(list(pending.values()), beside=1), strict=True))
    for fake, real in drawn.items():
        if not same_layout(fake, real):
            raise MalplError(_("a chart came out in another size than its place in the "
                               "document"), _("report this as a bug in malpl, with the measure"))
    return drawn


def _draw(svgs: list[str], beside: int = 0) -> list[bytes]:
    """Charts as PNG (~12 ms CPU each). A large report draws them on every core but the
    ``beside`` ones another program (pandoc) works on meanwhile: on two cores, in this
    process, which neither slows pandoc down nor starts another Python."""
    from malpl.charts import png

    workers = (os.cpu_count() or 1) - beside
    if len(svgs) < 50 or workers < 2:
        return [png(svg) for svg in svgs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(png, svgs, chunksize=25))
