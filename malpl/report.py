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

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from malpl import swedish, views
from malpl.markdown import Md, escape, safe
from malpl.model import Goal
from malpl.periods import Period
from malpl.repository import MalplError, Repository
from malpl.text import paragraphs

FORMATS = ("md", "docx", "html")
TEMPLATE = "report.md.j2"
FILTER = "malpl.lua"
IMAGE_DIR_SUFFIX = "-bilder"
GENERATOR = "malpl"
MD_MARKER = f"<!-- generator: {GENERATOR} -->"
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_TEMP_PREFIX = ".malpl-"


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


def lua_filter(dirs: list[Path], allow_filters: bool, notes: list[str]) -> Path:
    """The Lua filter to run: a repository's own runs code, so only when allowed."""
    found = find_template_file(dirs, FILTER)
    shipped = shipped_templates() / FILTER
    if found.resolve() == shipped.resolve() or allow_filters:
        return found
    notes.append(f"ignored the Lua filter {found}: filters run code; "
                 "use --allow-filters if you trust it")
    return shipped


@dataclass
class Report:
    """A rendered report before export: Markdown text plus the images it links."""

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


def _color(value: str) -> Md:
    """A colour goes into an attribute unescaped, so it must be exactly #rrggbb."""
    if not _COLOR.fullmatch(value):
        raise MalplError(f"'{value}' is not a colour", "write colours as #rrggbb")
    return Md(value)


def _assessment(a: views.Assessment | views.SummaryRow) -> dict[str, Any]:
    return {**safe(a), "color": _color(a.color)}


def _row(row: views.TargetRow) -> dict[str, Any]:
    return {**safe(row), "assessment": _assessment(row.assessment),
            "forecast": _assessment(row.forecast) if row.forecast else None}


@dataclass
class Chart:
    """One image malpl draws: its file name, the text that describes it, what it shows."""

    name: str
    alt: str
    measure: views.MeasureView | None = None


def _charts(repo: Repository, period: Period, rows: list[views.TargetRow],
            measures: list[views.MeasureView]) -> tuple[Chart, dict[tuple[str, str], Chart]]:
    """The summary chart and one chart per measure with two points or more.

    Files are numbered, never named after an id: an id may hold any character.
    """
    config = repo.config
    summary = views.summary(config, rows)
    period_text = views.period_label(config, period)
    head = Chart("maluppfyllelse.png",
                 f"Stapeldiagram: {config.labels.summary.lower()} {period_text}. " + "; ".join(
                     f"{r.label} {r.count} av {len(rows)} ({r.share})" for r in summary) + ".")
    drawn = [m for m in measures if len(m.series) >= 2]
    return head, {(m.goal_id, m.id): Chart(f"matt-{i}.png", _chart_alt(m), m)
                  for i, m in enumerate(drawn, 1)}


def report_context(repo: Repository, period: Period, today: dt.date,
                   image_src: dict[str, str]) -> dict[str, Any]:
    """Everything the template shows: escaped Markdown (:class:`Md`) and numbers only.

    ``image_src`` maps each chart's file name to the address the Markdown links.
    """
    config = repo.config
    rows = views.target_rows(repo, period)
    all_measures = views.measure_views(repo)
    head, charts = _charts(repo, period, rows, all_measures)
    summary = views.summary(config, rows)
    by_goal: dict[str, list[views.TargetRow]] = {}
    for row in rows:
        by_goal.setdefault(row.goal_id, []).append(row)
    measures = {(m.goal_id, m.id): m for m in all_measures}
    goals = {g.id: g for g in repo.goals}
    levels = {lv.key: lv.label for lv in config.levels}
    sections = []
    for depth, goal in _sections(repo):
        keys = [(goal.id, m.id) for m in goal.measures]
        parent = goals.get(goal.parent) if goal.parent else None
        sections.append({
            "depth": depth,
            "heading": Md("#" * depth),
            "goal": safe(goal),
            "description": safe(paragraphs(goal.description)),
            "level": escape(levels.get(goal.level, "")),
            "parent": safe(parent),
            "rows": [_row(r) for r in by_goal.get(goal.id, [])],
            "measures": [safe(measures[k]) for k in keys],
            "charts": [_chart(charts[k], image_src) for k in keys if k in charts],
        })
    period_text = views.period_label(config, period)
    context = safe({
        "config": config,
        "organisation": config.organisation.name,
        "body": config.body,
        "title": config.title,
        "period": str(period),
        "period_text": period_text,
        "date": swedish.date(today),
        "labels": config.labels,
        "total": len(rows),
        "assessed": sum(r.count for r in summary if r.key is not None),
    })
    context.update({
        "subtitle": Md(" · ").join([context["organisation"], context["body"],
                                    context["period_text"]]),
        "summary": [_assessment(r) for r in summary],
        "summary_chart": _chart(head, image_src),
        "sections": sections,
        "generator": Md(GENERATOR),
    })
    return context


def _chart(chart: Chart, image_src: dict[str, str]) -> dict[str, Any]:
    return {"file": Md(image_src[chart.name]), "alt": escape(chart.alt),
            "measure": safe(chart.measure)}


def _chart_alt(view: views.MeasureView) -> str:
    values = ", ".join(f"{p.key}: {p.text}" for p in view.series)
    refs = "".join(
        f" {ref.label}: " + ", ".join(f"{p.key}: {p.text}" for p in ref.series) + "."
        for ref in view.references)
    target = f" Mål: {view.target}." if view.target else ""
    return f"Linjediagram för {view.name}. Utfall {values}.{refs}{target}"


def _md_filter(value: Any) -> Md:
    """``| md`` kept for templates that use it: escapes once, never twice."""
    return Md.escape(value)


def _quoted(value: Any) -> Md:
    """A YAML (JSON) string for front matter; its text is Markdown to pandoc."""
    return Md(json.dumps(str(Md.escape(value)), ensure_ascii=False))


def _environment(dirs: list[Path]):
    """A sandbox that prints :class:`Md` as it is and escapes everything else.

    ``finalize`` is the one gate: a plain string is escaped even inside
    ``{% autoescape false %}``; the filters that would mark text safe are gone.
    """
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=Md.escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for name in ("safe", "urlize", "tojson", "xmlattr"):
        env.filters.pop(name, None)
    for name in ("md", "e", "escape", "forceescape"):
        env.filters[name] = _md_filter
    env.filters["lower"] = lambda text: Md.escape(text).lower()
    env.filters["number"] = lambda value: escape(swedish.number(value))
    env.filters["quoted"] = _quoted
    return env


def _render(dirs: list[Path], context: dict[str, Any]) -> str:
    import jinja2
    from jinja2.exceptions import SecurityError

    try:
        template = _environment(dirs).get_template(TEMPLATE)
        return template.render(context)
    except jinja2.TemplateSyntaxError as err:
        raise MalplError(f"{err.filename or err.name}:{err.lineno}: template error: {err.message}",
                         "fix the template, or remove it to use the shipped one") from err
    except SecurityError as err:
        raise MalplError(f"template {TEMPLATE} tried something a template may not: {err}",
                         "templates may only show the report's data (docs/templates.md)") from err
    except jinja2.UndefinedError as err:
        raise MalplError(f"template {TEMPLATE}: {err.message}",
                         "check the names the template uses (docs/templates.md)") from err
    except jinja2.TemplateError as err:
        raise MalplError(f"template {TEMPLATE}: {err}", "fix the template") from err


def render_markdown_report(repo: Repository, period: Period, *, templates: Path | None = None,
                           today: dt.date | None = None, image_dir: str | None = None) -> Report:
    """The report as Markdown. Images are linked in ``image_dir`` (URL-encoded), or,
    when it is None, inlined as ``data:`` URIs so the text stands alone."""
    from malpl import charts as drawing

    rows = views.target_rows(repo, period)
    head, charts = _charts(repo, period, rows, views.measure_views(repo))
    images = {head.name: drawing.summary_chart(views.summary(repo.config, rows))}
    jobs = list(charts.values())
    images.update(zip([c.name for c in jobs], _draw([c.measure for c in jobs]), strict=True))
    if image_dir is None:
        src = {name: "data:image/png;base64," + base64.b64encode(data).decode("ascii")
               for name, data in images.items()}
    else:
        src = {name: f"{quote(image_dir, safe='')}/{name}" for name in images}
    context = report_context(repo, period, today or report_date(), src)
    markdown = _render(template_dirs(repo.root, templates), context)
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


def report_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


# --- export -----------------------------------------------------------------------------


def _pandoc_path() -> str:
    """pandoc from pypandoc-binary, found without pypandoc's logged tracebacks."""
    log = logging.getLogger("pypandoc")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    log.setLevel(logging.CRITICAL + 1)
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as err:
        raise MalplError("pandoc is not available",
                         "reinstall pypandoc-binary, which ships pandoc: "
                         "pip install --force-reinstall pypandoc-binary") from err


def _pandoc_message(stderr: str) -> str:
    """pandoc's own words, without the Haskell call stack under them."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith("CallStack (from HasCallStack)"):
            break
        lines.append(line)
    return "\n".join(lines).strip() or "no message"


def _pandoc(source: Path, fmt: str, output: Path, dirs: list[Path], filter_path: Path,
            reference_doc: Path | None) -> None:
    """pandoc in its sandbox: it reads only the files named here and fetches nothing."""
    empty = source.parent / "resources"
    empty.mkdir()
    args = [_pandoc_path(), "--sandbox", "--from", "markdown-smart", "--to",
            "docx" if fmt == "docx" else "html5", "--lua-filter", str(filter_path),
            f"--resource-path={empty}", "--metadata", "lang=sv-SE",
            "--metadata", f"generator={GENERATOR}", f"--output={output}"]
    if fmt == "docx":
        reference = reference_doc or find_template_file(dirs, "reference.docx")
        if not reference.is_file():
            raise MalplError(f"reference document {reference} not found",
                             "give an existing .docx with --reference-doc")
        args.append(f"--reference-doc={reference}")
    else:
        head = source.parent / "head.html"
        css = _stylesheet(find_template_file(dirs, "report.css"))
        head.write_text(f'<meta name="generator" content="{GENERATOR}" />\n'
                        f"<style>\n{css}</style>\n", encoding="utf-8")
        args += ["--standalone", "--embed-resources", f"--include-in-header={head}"]
    args.append(str(source))
    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as err:
        raise MalplError(f"pandoc could not be run: {err.strerror or err}",
                         "reinstall pypandoc-binary, which ships pandoc") from err
    if done.returncode != 0:
        raise MalplError(f"pandoc failed: {_pandoc_message(done.stderr)}",
                         "check the reference document and templates")


_CSS_FETCH = re.compile(r"url\s*\(|@import|expression\s*\(|\\|</", re.IGNORECASE)


def _stylesheet(path: Path) -> str:
    """The stylesheet, inlined; one that could load anything (url(), @import) is refused."""
    css = path.read_text(encoding="utf-8")
    found = _CSS_FETCH.search(css)
    if found:
        raise MalplError(f"{path}: '{found.group()}' could make the page load other files",
                         "remove url(), @import, escapes and '</' from the stylesheet")
    return css


def default_output(root: Path, period: Period, fmt: str) -> Path:
    return root / "reports" / f"{period}.{fmt}"


def output_path(text: str) -> Path:
    """The path given with -o; a folder is not a file name."""
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        raise MalplError(f"'{text}' is a folder, not a file",
                         "give a file name, e.g. -o reports/T1-2023.docx")
    return Path(text)


def is_malpl_report(path: Path, fmt: str) -> bool:
    """Whether ``path`` holds a report malpl wrote in ``fmt`` (and may be replaced)."""
    try:
        if fmt == "docx":
            with zipfile.ZipFile(path) as z:
                custom = z.read("docProps/custom.xml").decode("utf-8", "replace")
            return f'name="generator"><vt:lpwstr>{GENERATOR}</vt:lpwstr>' in custom
        with path.open("rb") as f:
            head = f.read(8192).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    if fmt == "html":
        return f'<meta name="generator" content="{GENERATOR}" />' in head
    return head.startswith(MD_MARKER + "\n") or is_malpl_markdown_text(head)


def check_output(root: Path, output: Path, fmt: str, force: bool) -> None:
    """Refuse to write where a report must not go: over goals, config, a person's file."""
    resolved = output.resolve()
    goals = (root / "goals").resolve()
    if resolved == goals or goals in resolved.parents or resolved == (root / "malpl.yaml").resolve():
        raise MalplError(f"will not write a report to {output}: it is one of the goal files",
                         "write reports elsewhere, e.g. reports/")
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise MalplError(f"cannot write {output}: {err.strerror}", "choose another file") from err
    if stat.S_ISDIR(mode):
        raise MalplError(f"'{output}' is a folder, not a file",
                         "give a file name, e.g. -o reports/T1-2023.docx")
    if not stat.S_ISREG(mode):
        raise MalplError(f"will not write a report to {output}: it is not a regular file",
                         "give the name of a new file")
    if not force and not is_malpl_report(output, fmt):
        raise MalplError(f"{output} exists and is not a malpl {fmt} report",
                         "choose another file, or use --force to replace it")


def _install(data_path: Path, target: Path) -> None:
    """Copy a finished file next to ``target`` and rename it into place (atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, data_path.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean_stale(folder: Path, before: float) -> None:
    """Remove temporary files of runs that were killed before they could clean up."""
    for entry in folder.glob(_TEMP_PREFIX + "*"):
        try:
            if entry.lstat().st_mtime >= before:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue


def write_report(repo: Repository, period: Period, fmt: str, output: Path | None = None, *,
                 templates: Path | None = None, reference_doc: Path | None = None,
                 today: dt.date | None = None, force: bool = False,
                 allow_filters: bool = False, notes: list[str] | None = None) -> Path:
    """Render and write the report; the old file stays until the new one is complete.

    ``notes`` collects what the caller should tell the user (e.g. an ignored filter).
    """
    if fmt not in FORMATS:
        raise MalplError(f"unknown format '{fmt}'", "use md, docx or html")
    notes = [] if notes is None else notes
    output = output or default_output(repo.root, period, fmt)
    check_output(repo.root, output, fmt, force)
    image_dir = output.stem + IMAGE_DIR_SUFFIX if fmt == "md" else None
    images_out = output.parent / image_dir if image_dir else None
    if images_out is not None and (images_out.is_symlink() or
                                   (images_out.exists() and not images_out.is_dir())):
        raise MalplError(f"{images_out} is not a folder malpl can put the report's images in",
                         "move it away, or write the report under another name")
    dirs = template_dirs(repo.root, templates)
    report = render_markdown_report(repo, period, templates=templates, today=today,
                                    image_dir=image_dir)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="malpl-") as tmp:
        work = Path(tmp)
        source = work / "report.md"
        text = report.markdown
        if fmt == "md" and not is_malpl_markdown_text(text):
            text = f"{MD_MARKER}\n\n{text}"
        source.write_text(text, encoding="utf-8")
        rendered = source
        if fmt != "md":
            rendered = work / f"report.{fmt}"
            _pandoc(source, fmt, rendered, dirs, lua_filter(dirs, allow_filters, notes),
                    reference_doc)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            _clean_stale(output.parent, started - 60)
            if images_out is not None:
                images_out.mkdir(exist_ok=True)
                for name, data in report.images.items():
                    (work / name).write_bytes(data)
                    _install(work / name, images_out / name)
            _install(rendered, output)
        except OSError as err:
            raise MalplError(f"could not write {output}: {err.strerror or err}",
                             "check that the folder exists, is writable and has free space"
                             ) from err
    return output


def is_malpl_markdown_text(text: str) -> bool:
    """Whether the Markdown's front matter says malpl made it."""
    lines = text.splitlines()[:40]
    return bool(lines) and lines[0] == "---" and f"generator: {GENERATOR}" in lines


def markdown_text(repo: Repository, period: Period, **kwargs: Any) -> str:
    """The Markdown report standing alone (for ``-o -``): its images inlined."""
    kwargs.setdefault("image_dir", None)
    return render_markdown_report(repo, period, **kwargs).markdown


def html_text(repo: Repository, period: Period, **kwargs: Any) -> str:
    """The self-contained HTML page as text (for ``-o -``)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = write_report(repo, period, "html", Path(tmp) / f"{period}.html", **kwargs)
        return out.read_text(encoding="utf-8")
