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
from malpl.repository import Repository


@dataclass
class Report:
    """A rendered report before export: Markdown text plus the images it links."""

    markdown: str
    images: dict[str, bytes] = field(default_factory=dict)
    image_dir: str = ""


def render_markdown_report(repo: Repository, period: Period, *, templates: Path | None = None,
                           today: dt.date | None = None, image_dir: str | None = None,
                           bodies: list[str] | None = None, level: str | None = None
                           ) -> Report:
    """The report as Markdown. Images are linked in ``image_dir`` (URL-encoded), or,
    when it is None, inlined as ``data:`` URIs so the text stands alone."""
    from malpl import charts as drawing

    selection = select(repo, period, bodies, level)
    head, charts = charts_of(selection)
    images = {head.name: drawing.summary_chart(selection.summary)}
    jobs = list(charts.values())
    images.update(zip([c.name for c in jobs], _draw([c.measure for c in jobs]), strict=True))
    if image_dir is None:
        src = {name: "data:image/png;base64," + base64.b64encode(data).decode("ascii")
               for name, data in images.items()}
    else:
        src = {name: f"{quote(image_dir, safe='')}/{name}" for name in images}
    if today is None:
        today = report_date(repo.root, repo, period, None)[0]
    context = report_context(selection, today, src)
    markdown = render(template_dirs(repo.root, templates), context)
    return Report(markdown, images, image_dir or "")


def _draw(measures: list[views.MeasureView | None]) -> list[bytes]:
    """Measure charts; a large report draws them on every core (~30 ms each)."""
    from malpl.charts import measure_chart

    workers = os.cpu_count() or 1
    if len(measures) < 50 or workers < 2:
        return [measure_chart(m) for m in measures]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(measure_chart, measures, chunksize=25))
