"""The tertial report: Markdown from Jinja templates, DOCX and HTML through pandoc.

Pipeline: a valid repository → :func:`report_context` (every string in it
escaped to :class:`~malpl.markdown.Md`, Swedish formatting done) → the
``report.md.j2`` template in a sandbox that escapes anything not ``Md`` →
Markdown → pandoc in its sandbox, with the ``malpl.lua`` filter, a reference
document for DOCX and a stylesheet for HTML.

Nothing a file says can read another file or reach the network: the charts
malpl draws are the only images, given to pandoc inline as ``data:`` URIs, and
the filter turns any other image into its text. The report is made in the
system's temporary folder; only the finished file is moved next to the output,
and only over a previous malpl report (or with ``force``).
"""

from malpl.report.context import report_context
from malpl.report.export import (
    FORMATS,
    html_text,
    is_malpl_report,
    markdown_text,
    output_path,
    write_report,
)
from malpl.report.render import render_markdown_report
from malpl.report.templating import shipped_templates

__all__ = ["FORMATS", "html_text", "is_malpl_report", "markdown_text", "output_path",
           "render_markdown_report", "report_context", "shipped_templates", "write_report"]
