"""The tertial report: Markdown from Jinja templates, DOCX and HTML through pandoc.

Pipeline: a valid repository → :func:`report_context` (plain data, Swedish
formatting done) → the ``report.md.j2`` template (user text through the one
``md`` filter) → Markdown → pandoc, with the ``malpl.lua`` filter, a reference
document for DOCX and a stylesheet for HTML. Files are replaced only when the
new one is complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from malpl import swedish, views
from malpl.markdown import escape
from malpl.model import Goal
from malpl.periods import Period
from malpl.repository import MalplError, Repository

FORMATS = ("md", "docx", "html")
TEMPLATE = "report.md.j2"
IMAGE_DIR_SUFFIX = "-bilder"


def shipped_templates() -> Path:
    """Templates installed with the package, or those of a source checkout."""
    installed = Path(__file__).resolve().parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "templates"


def template_dirs(root: Path, override: Path | None) -> list[Path]:
    """Search order: --templates, the repository's templates/, the shipped ones."""
    dirs = [override] if override else []
    own = root / "templates"
    if own.is_dir():
        dirs.append(own)
    dirs.append(shipped_templates())
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def find_template_file(dirs: list[Path], name: str) -> Path:
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    raise MalplError(f"template file '{name}' not found", "reinstall malpl")


@dataclass
class Report:
    """A rendered report before export: Markdown text plus its images."""

    markdown: str
    images: dict[str, bytes] = field(default_factory=dict)
    image_dir: str = ""


def _sections(repo: Repository) -> list[tuple[int, Goal]]:
    """Goals in reading order: each goal followed by the goals that serve it."""
    children: dict[str | None, list[Goal]] = {}
    ids = {g.id for g in repo.goals}
    for goal in repo.goals:
        parent = goal.parent if goal.parent in ids else None
        children.setdefault(parent, []).append(goal)
    ordered: list[tuple[int, Goal]] = []

    def walk(parent: str | None, depth: int) -> None:
        for goal in children.get(parent, []):
            ordered.append((depth, goal))
            walk(goal.id, min(depth + 1, 3))

    walk(None, 1)
    return ordered


def report_context(repo: Repository, period: Period, today: dt.date,
                   image_dir: str) -> dict[str, Any]:
    """Everything the template shows, already in Swedish form."""
    config = repo.config
    rows = views.target_rows(repo, period)
    summary = views.summary(config, rows)
    measures = {(m.goal_id, m.id): m for m in views.measure_views(repo)}
    sections = []
    for depth, goal in _sections(repo):
        goal_measures = [measures[(goal.id, m.id)] for m in goal.measures]
        sections.append({
            "depth": depth,
            "goal": goal,
            "level": next((lv.label for lv in config.levels if lv.key == goal.level), ""),
            "parent": repo.goal(goal.parent) if goal.parent else None,
            "rows": [r for r in rows if r.goal_id == goal.id],
            "measures": goal_measures,
            "charts": [
                {"file": f"{image_dir}/matt-{m.id}.png", "alt": _chart_alt(m), "measure": m}
                for m in goal_measures if len(m.series) >= 2],
        })
    period_text = views.period_label(config, period)
    assessed = sum(r.count for r in summary if r.key is not None)
    return {
        "config": config,
        "organisation": config.organisation.name,
        "body": config.body,
        "title": config.title,
        "period": str(period),
        "period_text": period_text,
        "date": swedish.date(today),
        "labels": config.labels,
        "summary": summary,
        "total": len(rows),
        "assessed": assessed,
        "summary_chart": {
            "file": f"{image_dir}/maluppfyllelse.png",
            "alt": f"Stapeldiagram: {config.labels.summary.lower()} {period_text}. " + "; ".join(
                f"{r.label} {r.count} av {len(rows)} ({r.share})" for r in summary) + "."},
        "sections": sections,
    }


def _chart_alt(view: views.MeasureView) -> str:
    values = ", ".join(f"{p.key}: {p.text}" for p in view.series)
    refs = "".join(
        f" {ref.label}: " + ", ".join(f"{p.key}: {p.text}" for p in ref.series) + "."
        for ref in view.references)
    target = f" Mål: {view.target}." if view.target else ""
    return f"Linjediagram för {view.name}. Utfall {values}.{refs}{target}"


def _environment(dirs: list[Path]):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape
    env.filters["number"] = swedish.number
    env.filters["quoted"] = lambda text: json.dumps(text, ensure_ascii=False)
    return env


def render_markdown_report(repo: Repository, period: Period, *, templates: Path | None = None,
                           today: dt.date | None = None, image_dir: str = "bilder") -> Report:
    import jinja2

    from malpl import charts

    dirs = template_dirs(repo.root, templates)
    context = report_context(repo, period, today or report_date(), image_dir)
    try:
        template = _environment(dirs).get_template(TEMPLATE)
        markdown = template.render(context)
    except jinja2.TemplateSyntaxError as err:
        raise MalplError(f"{err.filename or err.name}:{err.lineno}: template error: {err.message}",
                         "fix the template, or remove it to use the shipped one") from err
    except jinja2.UndefinedError as err:
        raise MalplError(f"template {TEMPLATE}: {err.message}",
                         "check the names the template uses (docs/templates.md)") from err
    except jinja2.TemplateError as err:
        raise MalplError(f"template {TEMPLATE}: {err}", "fix the template") from err
    images = {Path(context["summary_chart"]["file"]).name: charts.summary_chart(
        context["summary"])}
    jobs = [(Path(chart["file"]).name, chart["measure"])
            for section in context["sections"] for chart in section["charts"]]
    images.update(zip([name for name, _ in jobs], _draw([v for _, v in jobs]), strict=True))
    return Report(markdown, images, image_dir)


def _draw(measures: list[views.MeasureView]) -> list[bytes]:
    """Measure charts; a large report draws them on every core (~30 ms each)."""
    from malpl.charts import measure_chart

    workers = os.cpu_count() or 1
    if len(measures) < 50 or workers < 2:
        return [measure_chart(m) for m in measures]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(measure_chart, measures, chunksize=25))


def report_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


# --- export -----------------------------------------------------------------------------


def _pandoc(source: Path, fmt: str, output: Path, dirs: list[Path],
            reference_doc: Path | None) -> None:
    try:
        import pypandoc
    except ImportError as err:  # pragma: no cover - a broken installation
        raise MalplError("pandoc is not available (pypandoc-binary is missing)",
                         "reinstall malpl: pip install malpl") from err
    args = ["--from", "markdown-smart", "--lua-filter", str(find_template_file(dirs, "malpl.lua")),
            f"--resource-path={source.parent}", "--metadata", "lang=sv-SE"]
    if fmt == "docx":
        reference = reference_doc or find_template_file(dirs, "reference.docx")
        if not reference.is_file():
            raise MalplError(f"reference document {reference} not found",
                             "give an existing .docx with --reference-doc")
        args.append(f"--reference-doc={reference}")
    else:
        args += ["--standalone", "--embed-resources", "--css",
                 str(find_template_file(dirs, "report.css"))]
    try:
        pypandoc.convert_file(str(source), "docx" if fmt == "docx" else "html5",
                              outputfile=str(output), extra_args=args)
    except OSError as err:
        raise MalplError(f"pandoc could not be run: {err}",
                         "reinstall pypandoc-binary, which ships pandoc") from err
    except RuntimeError as err:
        raise MalplError(f"pandoc failed: {str(err).strip()}",
                         "check the reference document and templates") from err


def default_output(root: Path, period: Period, fmt: str) -> Path:
    return root / "reports" / f"{period}.{fmt}"


def write_report(repo: Repository, period: Period, fmt: str, output: Path | None = None, *,
                 templates: Path | None = None, reference_doc: Path | None = None,
                 today: dt.date | None = None) -> Path:
    """Render and write the report; the old file stays until the new one is complete."""
    if fmt not in FORMATS:
        raise MalplError(f"unknown format '{fmt}'", "use md, docx or html")
    output = output or default_output(repo.root, period, fmt)
    image_dir = output.stem + IMAGE_DIR_SUFFIX
    report = render_markdown_report(repo, period, templates=templates, today=today,
                                    image_dir=image_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".malpl-", dir=output.parent) as tmp:
        work = Path(tmp)
        source = work / "report.md"
        source.write_text(report.markdown, encoding="utf-8")
        (work / image_dir).mkdir()
        for name, data in report.images.items():
            (work / image_dir / name).write_bytes(data)
        if fmt == "md":
            _replace_dir(work / image_dir, output.parent / image_dir)
            os.replace(source, output)
        else:
            rendered = work / f"report.{fmt}"
            _pandoc(source, fmt, rendered, template_dirs(repo.root, templates), reference_doc)
            os.replace(rendered, output)
    return output


def _replace_dir(new: Path, target: Path) -> None:
    """Swap a folder of images into place, keeping the old one until the swap."""
    old = target.with_name(target.name + ".old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def markdown_text(repo: Repository, period: Period, **kwargs: Any) -> str:
    return render_markdown_report(repo, period, **kwargs).markdown


def html_text(repo: Repository, period: Period, **kwargs: Any) -> str:
    """The self-contained HTML page as text (for ``-o -``)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = write_report(repo, period, "html", Path(tmp) / f"{period}.html", **kwargs)
        return out.read_text(encoding="utf-8")
