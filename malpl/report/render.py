"""The report as Markdown: the context through the template, and the charts drawn."""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from malpl import views
from malpl.dating import report_date
from malpl.periods import Period
from malpl.report.context import charts_of, report_context, select
from malpl.report.templating import render, template_dirs
from malpl.repository import MalplError, Repository

_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}
_LOGO_LIMIT = 2_000_000
MIME = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}


@dataclass
class Report:
    """A rendered report before export: Markdown text plus the images it links."""

    markdown: str
    images: dict[str, bytes] = field(default_factory=dict)
    image_dir: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # title, author, date as Markdown


def render_markdown_report(repo: Repository, period: Period, *, templates: Path | None = None,
                           today: dt.date | None = None, image_dir: str | None = None,
                           bodies: list[str] | None = None, level: str | None = None,
                           vector: bool = False) -> Report:
    """The report as Markdown. Images are linked in ``image_dir`` (URL-encoded), or,
    when it is None, inlined as ``data:`` URIs so the text stands alone. ``vector``
    draws the measure charts as SVG (for HTML, where they are smaller and sharper)."""
    selection = select(repo, period, bodies, level)
    head, charts = charts_of(selection)
    images: dict[str, bytes] = {}
    if repo.config.report.summary:  # matplotlib is imported only for a chart to draw
        from malpl.charts import summary_chart

        images[head.name] = summary_chart(selection.summary)
    jobs = list(charts.values())
    drawn_as_svg: set[str] = set()
    if jobs and vector:
        from malpl.svgchart import picture

        images.update({c.name: picture(c.measure, c.name.rsplit(".", 1)[0], c.alt)
                       for c in jobs if c.measure is not None})
        drawn_as_svg = {c.name for c in jobs}
    elif jobs:
        images.update(zip([c.name for c in jobs], _draw([c.measure for c in jobs]),
                          strict=True))
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
    context = report_context(selection, today, src, logo[0] if logo else None)
    markdown = render(template_dirs(repo.root, templates), context)
    meta = {"title": context["document_title"], "author": context["author"],
            "date": context["date"]}
    return Report(markdown, images, image_dir or "", {k: str(v) for k, v in meta.items()})


def _logo(repo: Repository) -> tuple[str, bytes] | None:
    """The logo ``report.logo`` names: a PNG or JPEG file inside the repository, nothing else.

    The name is the only thing read from the configuration: a path out of the
    repository, a link, a folder, a large file or any other kind of file is an error.
    """
    name = repo.config.report.logo
    if not name:
        return None
    fix = "give a PNG or JPEG file inside the repository, e.g. report: {logo: logo.png}"
    root = repo.root.resolve()
    path = repo.root / name
    try:
        inside = path.resolve(strict=True)
        if Path(name).is_absolute() or inside != root / name or not inside.is_file():
            raise MalplError(f"malpl.yaml: report.logo '{name}' is not a file inside the "
                             "repository", fix)
        if inside.stat().st_size > _LOGO_LIMIT:
            raise MalplError(f"malpl.yaml: report.logo '{name}' is larger than 2 MB", fix)
        data = inside.read_bytes()
    except OSError as err:
        raise MalplError(f"malpl.yaml: report.logo '{name}' cannot be read: "
                         f"{err.strerror or err}", fix) from err
    kind = next((k for magic, k in _LOGO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise MalplError(f"malpl.yaml: report.logo '{name}' is not a PNG or JPEG picture", fix)
    return f"logotyp.{'png' if kind == 'png' else 'jpg'}", data


def _draw(measures: list[views.MeasureView | None]) -> list[bytes]:
    """Measure charts; a large report draws them on every core (~30 ms each)."""
    from malpl.charts import measure_chart

    workers = os.cpu_count() or 1
    if len(measures) < 50 or workers < 2:
        return [measure_chart(m) for m in measures]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(measure_chart, measures, chunksize=25))
