"""The website's pages through Jinja, and the folder they are written to.

Templates run in Jinja's sandbox with HTML autoescaping. ``finalize`` is the one
gate: whatever a template prints that is not :class:`~markupsafe.Markup` is shown
with :func:`malpl.text.visible` and escaped, even inside ``{% autoescape false %}``,
and the filters that would mark text safe are removed. Only :mod:`malpl.svgchart`
and the templates' own macros make Markup, and both escape what they hold.

Pieces that recur on thousands of pages (a badge, a row of a goal's history) are
macros in ``fragments.html.j2``, rendered once per distinct set of arguments: the
arguments are hashable plain values and a fragment sees nothing else, so the cached
markup is what rendering again would give.

The site is written to a fresh folder beside the output, and its files are then
moved into the output folder (:mod:`malpl.site.folder`): never over a person's
file, and never into ``goals/``. Large sites are rendered and written by one
forked worker per core, a period at a time; every page is the same bytes as in a
serial build.

A page is rendered again only when its key changes: a hash of its context (everything
the template sees: the goals' text, dates from git, the period list, links), its
template's name, and malpl's code and templates. Jinja renders a page from nothing
else (the sandbox has no clock or file access; ``fragment`` is a pure function of its
arguments), so an unchanged key gives the same bytes as rendering again would.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing as mp
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup, escape

from malpl.confined import TEXT_LIMIT, Confined, read_inside, read_picture
from malpl.i18n import N_, _, ngettext
from malpl.periods import Period
from malpl.report.templating import loader, run_template, sandbox, shipped_templates
from malpl.repository import GOALS_DIR, MalplError, Repository
from malpl.site.build import RECORDS, Page, SiteBuilder
from malpl.site.folder import Listing, kept, publish, read_manifest
from malpl.text import visible

_TEMP_PREFIX = ".malpl-site-"
OWN_FOLDER = N_("choose a folder of its own, e.g. -o site")
PARALLEL_GOALS = 500  # goal pages over all periods from which forking workers pays


def _finalize(eval_ctx: Any, value: Any) -> Any:
    """Text shown visibly; escaped here where the template turned autoescaping off, and
    by Jinja right after this (once, not twice) where it is on."""
    if type(value) is str:  # the common case first: a site prints mostly plain strings
        text = visible(value)
    elif isinstance(value, Markup):
        return value
    elif value is None:
        return ""
    else:
        text = visible(str(value))
    return text if eval_ctx.autoescape else escape(text)


class Fragments:
    """``fragment('badge', step)`` in a template: the macro of ``fragments.html.j2``
    rendered once per distinct (hashable) arguments and reused on every page."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.macros: dict[str, Any] | None = None
        self.made: dict[tuple[Any, ...], Markup] = {}

    def __call__(self, name: str, *args: Any) -> Markup:
        key = (name, *args)
        found = self.made.get(key)
        if found is None:
            if self.macros is None:
                from jinja2.runtime import Macro

                module = self.env.get_template("fragments.html.j2").module
                self.macros = {k: v for k, v in vars(module).items() if isinstance(v, Macro)}
            if name not in self.macros:  # only the macros, never the module's attributes
                raise MalplError(_("no template fragment named '{name}'").format(
                                     name=visible(str(name))),
                                 _("name a macro of fragments.html.j2"))
            found = self.made[key] = self.macros[name](*args)
        return found


def template_dirs(root: Path) -> Confined:
    """A repository's own ``templates/site/`` (for the accessibility statement), then
    the shipped ones; a file is read only from inside the repository or the shipped ones."""
    dirs = [root / "templates" / "site", shipped_templates() / "site"]
    return Confined(tuple(d for d in dirs if d.is_dir()), (root, shipped_templates()))


def environment(templates: Confined):
    import jinja2

    class SiteEnvironment(sandbox()):  # type: ignore[misc]
        def getattr(self, obj: Any, attribute: str) -> Any:
            # The pages' data are plain dicts and records: find ``item.href`` as a key or a
            # field first, without the sandbox's checks on every print. Only data is found.
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            if type(obj) in RECORDS and attribute in obj._fields:
                return getattr(obj, attribute)
            return super().getattr(obj, attribute)

    env = SiteEnvironment(
        loader=loader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=jinja2.pass_eval_context(_finalize),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # compiled once: no look at the template files for every page
    )
    for name in ("safe", "urlize", "tojson", "xmlattr", "forceescape"):
        env.filters.pop(name, None)
    env.globals["fragment"] = Fragments(env)
    env.filters["breakable"] = breakable
    return env


def breakable(value: Any) -> Markup:
    """Text, escaped, that a narrow screen may break after a slash
    ("tillgänglighetsmätning/kvalitet") instead of inside a word."""
    return Markup("/<wbr>").join(escape(visible(str(value))).split("/"))


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """The loaded repository lives as long as the build: the cycle collector need not scan
    it again and again while thousands of pages make short-lived objects (a fifth of the
    time on a large site, before)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def render_site(repo: Repository, period: Period, *, draft: bool = False,
                at: str | None = None) -> dict[str, bytes]:
    """Every file of the site by its path inside the site: pages, stylesheet, logo, open
    data. ``draft``: publish an accessibility statement that still has places to fill in,
    with a warning on every page; ``at``: the revision ``repo`` was loaded from."""
    files: dict[str, bytes] = {}
    with _few_collections():
        work = _Work(repo, period, draft, at)
        for job in work.jobs:
            files.update((path, data) for path, data, _key in _render_part(work, job))
    files.update(work.extra)
    return files


def code_key(templates: Confined) -> bytes:
    """What renders a page besides its context: malpl's code, read whole (under a
    megabyte, so a change is seen without a new version number), and the template
    folders' files by size and modification time (a repository's folder may hold links
    and large files: they are not read here)."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{version('jinja2')} {version('markupsafe')}".encode())
    package = Path(__file__).resolve().parent.parent  # malpl/, its version in __init__.py
    for path in sorted(package.rglob("*.py")):
        digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    for folder in templates.dirs:
        for top, _dirs, names in sorted(os.walk(folder)):  # links to folders not followed
            for name in sorted(names):
                try:
                    info = os.stat(os.path.join(top, name))
                    seen = f"{info.st_size} {info.st_mtime_ns} {info.st_ino}"
                except OSError:  # a link that leads nowhere
                    seen = "-"
                digest.update(f"\0{top}/{name}\0{seen}".encode())
    return digest.digest()


def page_key(code: bytes, page: Page) -> str:
    """The page's key (see the module): equal keys, equal bytes."""
    digest = hashlib.sha256(code)
    digest.update(page.template.encode() + b"\0")
    digest.update(pickle.dumps(page.context, protocol=5))
    return digest.hexdigest()


class _Work:
    """What every part of the site renders from: built once, before any worker forks."""

    def __init__(self, repo: Repository, period: Period, draft: bool = False,
                 at: str | None = None, out: Path | None = None) -> None:
        from malpl.site import opendata

        self.out = out  # the folder written to, whose pages need not be rendered again
        self.last = read_manifest(out) if out is not None else Listing({}, {}, False)
        self.extra: dict[str, bytes] = {}
        logo = _logo(repo)
        if logo is not None:
            self.extra[logo[0]] = logo[1]
        self.builder = SiteBuilder(repo, period, logo[0] if logo else "")
        dates = opendata.Dates(repo, at)
        self.builder.published = {p: opendata.period_info(dates, p, False)
                                  for p in self.builder.periods}
        statement = dates.statement(dates.changed(period))
        for info in self.builder.published.values():
            info["statement"] = statement
        css = read_inside(shipped_templates() / "site" / "site.css", [shipped_templates()],
                          TEXT_LIMIT)
        self.extra["site.css"] = css + _brand(repo.config.site.color).encode("utf-8")
        self.extra[".nojekyll"] = b""  # GitHub Pages: serve files whose names start with "_"
        templates = template_dirs(repo.root)
        self.env = environment(templates)  # compiled once, shared by forks
        self.code = code_key(templates)
        unfilled = _placeholders(self.env, self.builder)
        if unfilled and not draft:
            raise _unfilled(self.env, unfilled)
        for p, info in self.builder.published.items():
            info["draft"] = bool(unfilled)
            data = self.builder.data[p]
            self.extra.update(opendata.files(data.snap, repo.config.organisation.name,
                                             info["published_iso"], info["changed_iso"]))
        # The latest periods have the longest histories: first, so two workers end together.
        self.jobs: list[Period | None] = [None, *reversed(self.builder.periods)]


STATEMENT = "tillganglighet.html.j2"
_PLACEHOLDER = re.compile(r"\[\s*fyll i\b[^\]]*\]", re.IGNORECASE)


def _placeholders(env: Any, builder: SiteBuilder) -> list[str]:
    """The "[Fyll i: …]" the accessibility statement still holds, as rendered."""
    page = next(p for p in builder.site_pages() if p.template == STATEMENT)
    html = run_template(partial(env.get_template, STATEMENT), page.context, STATEMENT,
                        N_("the site's data"))
    return [unescape(m.group()) for m in _PLACEHOLDER.finditer(html)]


def _unfilled(env: Any, unfilled: list[str]) -> MalplError:
    where = env.get_template(STATEMENT).filename or STATEMENT
    shipped = str(shipped_templates() / "site" / STATEMENT)
    own = os.path.realpath(where) != os.path.realpath(shipped)
    said = ngettext("the accessibility statement {template} has {n} place still to fill in: "
                    "{first}",
                    "the accessibility statement {template} has {n} places still to fill in, "
                    "the first: {first}", len(unfilled))
    hint = (_("write what each '[Fyll i: …]' asks for in {template}; or build with --draft "
              "to publish it with a warning on every page") if own else
            _("copy {template} to templates/site/{name} in the repository and write what "
              "each '[Fyll i: …]' asks for (contacts, how the site was reviewed); or build "
              "with --draft to publish it with a warning on every page"))
    return MalplError(said.format(template=visible(where), n=len(unfilled),
                                  first=visible(unfilled[0])),
                      hint.format(template=visible(where), name=STATEMENT))


def _render_part(work: _Work, period: Period | None
                 ) -> Iterator[tuple[str, bytes | None, str]]:
    """One period's pages, or (``None``) the pages outside the periods: each page's path,
    its bytes (None where the output folder already holds them) and its key."""
    builder, env = work.builder, work.env
    pages = builder.site_pages() if period is None else builder.period_pages(period)
    for page in pages:
        key = page_key(work.code, page)
        if work.out is not None and kept(work.out, work.last, page.path, key):
            yield page.path, None, key
            continue
        html = run_template(partial(env.get_template, page.template), page.context,
                            page.template, N_("the site's data"))
        yield page.path, html.encode("utf-8"), key


class _Written(NamedTuple):
    """What a part of the build wrote: the pages not rendered again (by path, with the
    hash the list gives them) and every page's key."""

    unchanged: dict[str, str]
    keys: dict[str, str]


def _write(files: Iterable[tuple[str, bytes | None, str]], folder: Path,
           last: Listing) -> _Written:
    """Write files under ``folder`` (a fresh one), each folder made once."""
    made: set[str] = set()
    done = _Written({}, {})
    for path, data, key in files:
        if key:
            done.keys[path] = key
        if data is None:
            done.unchanged[path] = last.files[path]
            continue
        parent = path.rpartition("/")[0]
        if parent not in made:
            os.makedirs(folder / parent, exist_ok=True)
            made.add(parent)
        with open(folder / path, "wb") as out:
            out.write(data)
    return done


_WORK: tuple[_Work, Path] | None = None  # what forked workers render from and write to


def _write_part(job: Period | None) -> _Written:
    assert _WORK is not None
    work, folder = _WORK
    return _write(_render_part(work, job), folder, work.last)


def _write_all(work: _Work, folder: Path) -> _Written:
    """Render and write every page into ``folder``, but the unchanged ones; on every core
    for a large site."""
    global _WORK
    _write(((path, data, "") for path, data in work.extra.items()), folder, work.last)
    workers = min(os.cpu_count() or 1, len(work.jobs))
    goals = sum(len(work.builder.data[p].goals) for p in work.builder.periods)
    _WORK = (work, folder)
    try:
        if workers < 2 or goals < PARALLEL_GOALS or "fork" not in mp.get_all_start_methods():
            parts = list(map(_write_part, work.jobs))
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
                parts = list(pool.map(_write_part, work.jobs))
    finally:
        _WORK = None
    return _Written({k: v for part in parts for k, v in part.unchanged.items()},
                    {k: v for part in parts for k, v in part.keys.items()})


def _contrast_text(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if (1.05 / (lum + 0.05)) >= (lum + 0.05) / 0.05 else "#000000"


def _brand(color: str) -> str:
    # The colour is #rrggbb by the configuration's schema; nothing else reaches the CSS.
    return f":root {{ --brand: {color}; --brand-text: {_contrast_text(color)}; }}\n"


def _logo(repo: Repository) -> tuple[str, bytes] | None:
    """The configured logo, as the site's picture file; see :func:`read_picture`."""
    name = repo.config.site.logo
    if not name:
        return None
    kind, data = read_picture(repo.root, name, "site.logo")
    return f"logo.{kind}", data


def check_output(repo: Repository, out: Path) -> None:
    """Refuse to write into goals/, around the repository or into what is not a folder."""
    target = Path(os.path.realpath(out))
    goals = Path(os.path.realpath(repo.root / GOALS_DIR))
    root = Path(os.path.realpath(repo.root))
    if target.is_relative_to(goals) or root.is_relative_to(target):
        raise MalplError(_("will not write the site to {path}: it holds the goal "
                           "files").format(path=out), _(OWN_FOLDER))
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise MalplError(_("{path} is not a folder").format(path=out), _(OWN_FOLDER))


def write_site(repo: Repository, period: Period, out: Path, *, draft: bool = False,
               at: str | None = None) -> int:
    """Build the site and move its files into ``out``; returns the number of files.
    ``draft`` and ``at`` as for :func:`render_site`."""
    check_output(repo, out)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=parent))
    try:
        with _few_collections():  # forked workers inherit it
            work = _Work(repo, period, draft, at, out)
            done = _write_all(work, fresh)
        publish(fresh, out, done.unchanged, done.keys)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return len(work.extra) + len(done.keys)
