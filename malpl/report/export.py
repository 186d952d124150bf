"""The report as a file: pandoc in its sandbox, and outputs that never replace a
person's file.

The report is made in the system's temporary folder; only the finished file is
moved next to the output (atomically), and only over a previous malpl report,
or with ``force``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from malpl import __version__, files
from malpl.confined import FILE_LIMIT, Confined
from malpl.i18n import N_, _
from malpl.periods import Period
from malpl.report.context import GENERATOR
from malpl.report.render import render_markdown_report
from malpl.report.templating import find_template_file, lua_filter, template_dirs
from malpl.repository import MalplError, Repository, UsageError
from malpl.text import visible

FORMATS = ("md", "docx", "html")
IMAGE_DIR_SUFFIX = "-bilder"
MD_MARKER = f"<!-- generator: {GENERATOR} -->"
_TEMP_PREFIX = ".malpl-"
IS_A_FOLDER = N_("'{path}' is a folder, not a file")
GIVE_A_FILE = N_("give a file name, e.g. -o reports/T1-2023.docx")


def _pandoc_path() -> str:
    """The pandoc that pypandoc-binary ships, the one malpl is tested with.

    Found where that package puts it, without importing pypandoc, which costs
    a tenth of a second and runs every pandoc it finds to compare versions.
    Only when it is missing, or PYPANDOC_PANDOC names another, is pypandoc asked.
    """
    from importlib.util import find_spec

    spec = None if os.environ.get("PYPANDOC_PANDOC") else find_spec("pypandoc")
    for folder in (spec and spec.submodule_search_locations) or []:
        shipped = Path(folder) / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
    return _pypandoc_path()


def _pypandoc_path() -> str:
    """pandoc as pypandoc finds it, without pypandoc's logged tracebacks."""
    import logging  # only here: pypandoc is the fallback, logging ~4 ms to import

    log = logging.getLogger("pypandoc")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    log.setLevel(logging.CRITICAL + 1)
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as err:
        raise MalplError(_("pandoc is not available"),
                         _("reinstall pypandoc-binary, which ships pandoc: "
                           "pip install --force-reinstall pypandoc-binary")) from err


@cache
def pandoc_version(pandoc: str) -> str:
    """The version of the pandoc at ``pandoc`` ("3.9"), written into each document: the
    same report comes out byte for byte the same only from the same pandoc."""
    try:
        out = subprocess.run([pandoc, "--version"], capture_output=True, check=True,
                             stdin=subprocess.DEVNULL, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as err:
        raise MalplError(_("pandoc could not be run: {reason}").format(reason=err),
                         _("reinstall pypandoc-binary, which ships pandoc")) from err
    first = out.decode("utf-8", "replace").split("\n", 1)[0]
    return first.rpartition(" ")[2] or "?"


def _pandoc_message(stderr: str) -> str:
    """pandoc's own words, without the Haskell call stack under them."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith("CallStack (from HasCallStack)"):
            break
        lines.append(line)
    return "\n".join(lines).strip() or _("no message")


def _pandoc(source: Path, fmt: str, output: Path, templates: Confined, lua: bytes,
            reference_doc: Path | None, meta: dict[str, str], contents: bool = False,
            meanwhile: Callable[[], dict[bytes, bytes]] | None = None,
            split_cells: bool = True, date: dt.date | None = None) -> None:
    """pandoc in its sandbox: it reads only the files named here and fetches nothing.

    The templates' files it needs (``lua``, the filter's text; the reference document;
    the stylesheet) are copied next to ``source`` from what malpl read of them, so pandoc
    never follows a link in ``templates/``.

    ``meta`` (escaped Markdown) becomes the title block and the DOCX properties; as JSON
    strings in a metadata file, pandoc reads each as Markdown, as it would front matter.
    ``meanwhile`` runs while pandoc works; the pictures it gives (by the placeholder
    each replaces) go into the DOCX in their placeholders' place. ``split_cells`` False
    (Markdown without ``<br>``) tells the filter it need not look into every table cell.
    The versions of malpl and pandoc go into the DOCX's properties and the HTML's
    ``<meta>``; ``date``, the report's, is the DOCX's created and modified date.
    """
    empty = source.parent / "resources"
    empty.mkdir()
    pandoc = _pandoc_path()
    versions = {"malpl-version": __version__, "pandoc-version": pandoc_version(pandoc)}
    meta_file = source.parent / "meta.yaml"
    meta_file.write_text(json.dumps({**meta, **versions}, ensure_ascii=False),
                         encoding="utf-8")
    filter_path = source.parent / "malpl.lua"
    filter_path.write_bytes(lua)
    args = [pandoc, "--sandbox", "--from", "markdown-smart", "--to",
            "docx" if fmt == "docx" else "html5", "--lua-filter", str(filter_path),
            f"--resource-path={empty}", "--metadata", "lang=sv-SE",
            "--metadata", f"generator={GENERATOR}", f"--metadata-file={meta_file}",
            f"--output={output}"]
    if not split_cells:
        args += ["--metadata", "malpl-split-cells=false"]
    if contents:
        args += ["--toc", "--toc-depth=2", "--metadata", "toc-title=Innehåll"]
    if fmt == "docx":
        reference = reference_doc
        if reference is None:
            reference = source.parent / "reference.docx"
            reference.write_bytes(find_template_file(templates, "reference.docx", FILE_LIMIT)[1])
        elif not reference.is_file():
            raise MalplError(_("reference document {path} not found").format(path=reference),
                             _("give an existing .docx with --reference-doc"))
        args.append(f"--reference-doc={reference}")
    else:
        head = source.parent / "head.html"
        css = _stylesheet(*find_template_file(templates, "report.css"))
        head.write_text(f'<meta name="generator" content="{GENERATOR}" />\n'
                        + "".join(f'<meta name="{k}" content="{html.escape(v)}" />\n'
                                  for k, v in versions.items())
                        + f"<style>\n{css}</style>\n", encoding="utf-8")
        args += ["--standalone", "--embed-resources", f"--include-in-header={head}"]
    args.append(str(source))
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: pandoc never waits on us
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=errors)
        except OSError as err:
            raise MalplError(_("pandoc could not be run: {reason}").format(
                                 reason=err.strerror or err),
                             _("reinstall pypandoc-binary, which ships pandoc")) from err
        try:
            pictures = meanwhile() if meanwhile is not None else {}
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            message = _pandoc_message(errors.read().decode("utf-8", "replace"))
            raise MalplError(_("pandoc failed: {message}").format(message=message),
                             _("check the reference document and templates"))
    if fmt == "docx":
        _finish_docx(output, pictures, date)


_ROW = re.compile(rb"<w:tr>(<w:trPr>(<w:tblHeader w:val=\"on\" />)?)?.*?</w:tr>", re.DOTALL)
_CELL_STYLE = re.compile(rb'(<w:pPr><w:pStyle w:val="[^"]*" />)')
_TEXT = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>")
# A row of at most this much text (bytes of UTF-8; a few lines in each column) stays whole:
# splitting it would strand a line or two, and moving it leaves little blank.
_SHORT_ROW = 400
_EPOCH = b"1970-01-01T00:00:00Z"


def _row(match: re.Match[bytes]) -> bytes:
    """A table's header row stays whole, repeats on each page and keeps with the first row;
    a short row stays whole; a long one may split (the header repeats above the rest)."""
    row = match.group()
    header = match.group(2) is not None
    if not header and sum(len(t) for t in _TEXT.findall(row)) > _SHORT_ROW:
        return row
    if match.group(1) is None:
        row = b"<w:tr><w:trPr><w:cantSplit/></w:trPr>" + row[len(b"<w:tr>"):]
    else:
        row = row.replace(b"<w:trPr>", b"<w:trPr><w:cantSplit/>", 1)
    return _CELL_STYLE.sub(rb"\1<w:keepNext/>", row) if header else row


def _finish_docx(docx: Path, pictures: dict[bytes, bytes], date: dt.date | None) -> None:
    """Header rows that stay with the table, the report's date, and the charts in their
    placeholders' place.

    A long body row may split across pages (its header row repeats above the rest), so a
    long comment never leaves half a page blank; a short one stays whole. The header row
    (pandoc marks it ``w:tblHeader``) gets ``w:cantSplit`` and keep-with-next, so a heading
    (kept with the next paragraph by its style) keeps with the first row. A change of
    structure only:
    no text goes in. pandoc dates every DOCX 1970-01-01; the report's date replaces it.
    A picture replaces the file in ``word/media`` that holds exactly its placeholder's
    bytes (a template need not show every chart). A chart goes in as it is, not
    deflated once more: its PNG is deflated already, and deflating 1 800 charts again
    took 1.4 s after pandoc, for a sixth of their size.
    """
    stamp = date.isoformat().encode("ascii") + b"T00:00:00Z" if date is not None else _EPOCH
    with zipfile.ZipFile(docx) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == "word/document.xml":
                data = _ROW.sub(_row, data)
            elif info.filename == "docProps/core.xml":
                data = data.replace(_EPOCH, stamp)
            elif info.filename.startswith("word/media/") and data in pictures:
                data = pictures[data]
                info.compress_type = zipfile.ZIP_STORED
            dst.writestr(info, data)


_CSS_FETCH = re.compile(r"url\s*\(|@import|expression\s*\(|\\|</", re.IGNORECASE)


def _stylesheet(path: Path, data: bytes) -> str:
    """The stylesheet, inlined; one that could load anything (url(), @import) is refused."""
    try:
        css = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalplError(_("{path} is not UTF-8 text: {reason} at byte {byte}").format(
                             path=path, reason=err.reason, byte=err.start),
                         _("save the stylesheet as UTF-8")) from err
    found = _CSS_FETCH.search(css)
    if found:
        raise MalplError(_("{path}: '{found}' could make the page load other files").format(
                             path=path, found=found.group()),
                         _("remove url(), @import, escapes and '</' from the stylesheet"))
    return css


def default_output(root: Path, period: Period, fmt: str, bodies: list[str] | None = None
                   ) -> Path:
    """``reports/T1-2024.docx``; a report of some bodies is named after them
    (``T1-2024-tn.docx``, ``T1-2024-ks+tn.docx``), so that it never replaces the whole
    municipality's or another body's. A key is a name in malpl.yaml, never a path: one
    that is more than letters, digits, ``-`` and ``_`` needs ``-o``."""
    keys = sorted(set(bodies or ()))
    for key in keys:
        if not re.fullmatch(r"[\w-]{1,64}", key):
            raise UsageError(_("the body key '{key}' cannot name a file").format(
                                 key=visible(key)),
                             _("name the report with -o, e.g. -o reports/tertial.docx"))
    return root / "reports" / (f"{period}-{'+'.join(keys)}.{fmt}" if keys else f"{period}.{fmt}")


def output_path(text: str) -> Path:
    """The path given with -o; a folder is not a file name."""
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        raise UsageError(_(IS_A_FOLDER).format(path=text), _(GIVE_A_FILE))
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
        raise MalplError(_("will not write a report to {path}: it is one of the goal "
                           "files").format(path=output), _("write reports elsewhere, e.g. "
                                                           "reports/"))
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise MalplError(_("cannot write {path}: {reason}").format(path=output,
                                                                    reason=err.strerror),
                         _("choose another file")) from err
    if stat.S_ISDIR(mode):
        raise MalplError(_(IS_A_FOLDER).format(path=output), _(GIVE_A_FILE))
    if not stat.S_ISREG(mode):
        raise MalplError(_("will not write a report to {path}: it is not a regular "
                           "file").format(path=output), _("give the name of a new file"))
    if not force and not is_malpl_report(output, fmt):
        raise MalplError(_("{path} exists and is not a malpl {format} report").format(
                             path=output, format=fmt),
                         _("choose another file, or use --force to replace it"))


def _install(data_path: Path, target: Path) -> None:
    """Copy a finished file next to ``target`` and rename it into place (atomic)."""
    with data_path.open("rb") as source:
        files.replace(target, source, prefix=_TEMP_PREFIX)


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
                 allow_filters: bool = False, notes: list[str] | None = None,
                 bodies: list[str] | None = None, level: str | None = None) -> Path:
    """Render and write the report; the old file stays until the new one is complete.

    ``notes`` collects what the caller should tell the user (e.g. an ignored filter).
    """
    if fmt not in FORMATS:
        raise MalplError(_("unknown format '{format}'").format(format=fmt),
                         _("use md, docx or html"))
    notes = [] if notes is None else notes
    output = output or default_output(repo.root, period, fmt, bodies)
    check_output(repo.root, output, fmt, force)
    image_dir = output.stem + IMAGE_DIR_SUFFIX if fmt == "md" else None
    images_out = output.parent / image_dir if image_dir else None
    if images_out is not None and (images_out.is_symlink() or
                                   (images_out.exists() and not images_out.is_dir())):
        raise MalplError(_("{path} is not a folder malpl can put the report's images "
                           "in").format(path=images_out),
                         _("move it away, or write the report under another name"))
    found = template_dirs(repo.root, templates)
    report = render_markdown_report(repo, period, templates=templates, today=today,
                                    image_dir=image_dir, bodies=bodies, level=level,
                                    target=fmt, deferred=fmt == "docx")
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
            _pandoc(source, fmt, rendered, found, lua_filter(found, allow_filters, notes),
                    reference_doc, report.meta, report.contents,
                    report.draw_pending if report.pending else None, "<br" in text,
                    report.date)
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
            raise MalplError(_("could not write {path}: {reason}").format(
                                 path=output, reason=err.strerror or err),
                             _("check that the folder exists, is writable and has free "
                               "space")) from err
    return output


def is_malpl_markdown_text(text: str) -> bool:
    """Whether the Markdown says malpl made it: its first line is the marker comment (or,
    in reports of earlier versions, its front matter names the generator)."""
    lines = text.splitlines()[:40]
    if lines and lines[0] == MD_MARKER:
        return True
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
