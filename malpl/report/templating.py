"""Report templates: where they are found, and the sandbox they render in.

A repository may bring its own ``report.md.j2``, ``report.css`` and
``malpl.lua``. A template only shows data: it runs in Jinja's sandbox, and
anything it prints that is not :class:`~malpl.markdown.Md` is escaped. A Lua
filter runs code, so a repository's own runs only when the user allows it.

A compiled template is kept in the user's cache folder (``$XDG_CACHE_HOME/malpl``),
which saves compiling it on the next report; see :func:`_bytecode_cache`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from malpl import swedish
from malpl.confined import REPOSITORY, TEXT_LIMIT, Confined, read_inside
from malpl.i18n import N_, _
from malpl.markdown import Md, escape
from malpl.repository import MalplError
from malpl.text import visible

TEMPLATE = "report.md.j2"
FILTER = "malpl.lua"


def shipped_templates() -> Path:
    """Templates installed with the package, or those of a source checkout."""
    installed = Path(__file__).resolve().parent.parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent.parent / "templates"


def template_dirs(root: Path, override: Path | None) -> Confined:
    """Search order: --templates, the repository's templates/, the shipped ones. A file found
    in them is read only when its real path lies inside the repository, the --templates
    folder or the shipped templates: a link in ``templates/`` cannot publish another file."""
    dirs = [override] if override else []
    own = root / "templates"
    if own.is_dir():
        dirs.append(own)
    dirs.append(shipped_templates())
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    within = (root, *([override] if override else []), shipped_templates())
    where = (_("the repository and {path}").format(path=visible(str(override))) if override
             else REPOSITORY)
    return Confined(tuple(unique), within, where)


def find_template_file(templates: Confined, name: str, limit: int = TEXT_LIMIT
                       ) -> tuple[Path, bytes]:
    """The first file ``name`` among the templates, and its bytes."""
    found = templates.find(name, limit)
    if found is None:
        raise MalplError(_("template file '{name}' not found").format(name=name),
                         _("reinstall malpl"))
    return found


def lua_filter(templates: Confined, allow_filters: bool, notes: list[str]) -> bytes:
    """The Lua filter to run: a repository's own runs code, so only when allowed. A copy of
    the shipped filter (a repository made from this one) is the shipped filter."""
    found, text = find_template_file(templates, FILTER)
    shipped = read_inside(shipped_templates() / FILTER, [shipped_templates()], TEXT_LIMIT)
    if allow_filters or text == shipped:
        return text
    notes.append(_("ignored the Lua filter {path}: filters run code; use --allow-filters if "
                   "you trust it").format(path=visible(str(found))))
    return shipped


def _md_filter(value: Any) -> Md:
    """``| md`` kept for templates that use it: escapes once, never twice."""
    return Md.escape(value)


def _quoted(value: Any) -> Md:
    """A YAML (JSON) string for front matter; its text is Markdown to pandoc."""
    return Md(json.dumps(str(Md.escape(value)), ensure_ascii=False))


def load_jinja() -> None:
    """Import Jinja now, while the caller waits on something else (it takes ~30 ms)."""
    import jinja2.sandbox  # noqa: F401


# What one operation in a template may make: a number Python still prints (4 300 digits),
# a text or a list of ten million characters or items.
_MAX_BITS = 14_000
_MAX_LENGTH = 10_000_000


#: How long one template may run, in seconds: a report's takes well under one.
TIME_LIMIT = 60.0
_deadline = math.inf  # when the template running now must stop (see bounded_time)


class TimeLimit(Exception):
    """A template ran longer than :data:`TIME_LIMIT`."""


@functools.cache
def sandbox() -> type:
    """Jinja's sandbox, in which ``**`` and ``*`` cannot make a number too long to print
    or gigabytes of text (``9 ** 99999999``, ``"x" * 10**10``): such an operation is one step in
    C, which nothing could stop. The report's and the website's templates run in it.

    It also keeps the time: every call (a macro, a method, ``range``), include and step of
    a loop looks at the clock, so loops inside loops stop at :data:`TIME_LIMIT`. A loop's
    items come through :meth:`timed`, which the compiled template calls for each ``for``."""
    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class TimedLoops(CodeGenerator):
        def visit_For(self, node: Any, frame: Any) -> None:
            items = nodes.Call(nodes.EnvironmentAttribute("timed"), [node.iter], [], None, None,
                               lineno=node.lineno)
            super().visit_For(nodes.For(node.target, items, node.body, node.else_, node.test,
                                        node.recursive, lineno=node.lineno), frame)

    class Sandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})
        code_generator_class = TimedLoops

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if _too_large(operator, left, right):
                raise SecurityError(_("'{operator}' would make a value too large to "
                                      "show").format(operator=operator))
            return super().call_binop(context, operator, left, right)

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            _on_time()
            return super().call(context, obj, *args, **kwargs)

        # An include (which may include itself, twice) is neither a call nor a loop.
        def get_template(self, *args: Any, **kwargs: Any) -> Any:
            _on_time()
            return super().get_template(*args, **kwargs)

        def select_template(self, *args: Any, **kwargs: Any) -> Any:
            _on_time()
            return super().select_template(*args, **kwargs)

        @staticmethod
        def timed(items: Any) -> _Timed:
            return _Timed(items)

    return Sandbox


class _Timed:
    """A loop's items, looking at the clock before each; its length is theirs (``loop.last``)."""

    __slots__ = ("items",)

    def __init__(self, items: Any) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            _on_time()
            yield item


def _on_time() -> None:
    if time.monotonic() > _deadline:
        raise TimeLimit


@contextlib.contextmanager
def bounded_time() -> Iterator[None]:
    """A template rendered meanwhile stops after :data:`TIME_LIMIT` seconds."""
    global _deadline
    before = _deadline
    _deadline = min(before, time.monotonic() + TIME_LIMIT)
    try:
        yield
    finally:
        _deadline = before


def _too_large(operator: str, left: Any, right: Any) -> bool:
    if isinstance(left, int) and isinstance(right, int):
        if operator == "**":
            return right > 0 and abs(left) > 1 and abs(left).bit_length() * right > _MAX_BITS
        return left.bit_length() + right.bit_length() > _MAX_BITS
    for items, times in ((left, right), (right, left)):
        if isinstance(items, (str, list, tuple)) and isinstance(times, int):
            return len(items) * times > _MAX_LENGTH
    return False


def loader(templates: Confined) -> Any:
    """Jinja's loader for ``templates``: each template, and each one it includes, imports or
    extends, is read through :func:`~malpl.confined.read_inside`."""
    return _loader_class()(templates)


@functools.cache
def _loader_class() -> type:
    import jinja2
    from jinja2.loaders import split_template_path

    class ConfinedLoader(jinja2.BaseLoader):
        def __init__(self, templates: Confined) -> None:
            self.templates = templates

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            found = self.templates.find("/".join(split_template_path(template)))
            if found is None:
                raise jinja2.TemplateNotFound(template)
            path, data = found
            # A template does not change while malpl runs: no need to look at it again.
            return data.decode("utf-8"), os.path.normpath(path), lambda: True

    return ConfinedLoader


def _environment(templates: Confined):
    """A sandbox that prints :class:`Md` as it is and escapes everything else.

    ``finalize`` is the one gate: a plain string is escaped even inside
    ``{% autoescape false %}``; the filters that would mark text safe are gone.
    """
    import jinja2

    env = sandbox()(
        loader=loader(templates),
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
    env.bytecode_cache = _bytecode_cache(env)
    return env


def cache_home() -> Path:
    """The user's cache folder for malpl, as the XDG spec (or Windows) places it."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "malpl" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "malpl"


def cache_key(env: Any) -> str:
    """Everything besides a template's own name, path and text that shapes its compiled
    code: Jinja's and Python's versions and the environment's settings and names."""
    import jinja2

    settings = (jinja2.__version__, sys.version, type(env).__qualname__, env.autoescape,
                getattr(env.finalize, "__qualname__", None), env.trim_blocks,
                env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence,
                env.code_generator_class.__qualname__,
                env.block_start_string, env.block_end_string, env.variable_start_string,
                env.variable_end_string, env.comment_start_string, env.comment_end_string,
                env.line_statement_prefix, env.line_comment_prefix, env.optimized,
                sorted(env.filters), sorted(env.tests), sorted(env.extensions),
                sorted(env.intercepted_binops), sorted(env.intercepted_unops))
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:24]


def _private_folder(folder: Path) -> bool:
    """Made if needed; only a folder no one else may write to holds code malpl runs."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    return os.name == "nt" or (info.st_uid == os.getuid() and not info.st_mode & 0o022)


def _bytecode_cache(env: Any):
    """Jinja's compiled templates in the user's cache folder, or None when it is not usable.

    Jinja names an entry after the template's name and path and checks its text's
    checksum before using it; the folder's name is :func:`cache_key`, so another
    Jinja, Python or environment never reads it. An entry that cannot be read is
    compiled afresh, a write that fails is skipped, and Jinja writes each entry
    to a temporary file renamed into place, so concurrent reports never see half.
    """
    from jinja2 import FileSystemBytecodeCache

    class Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # whatever a damaged entry raises, it is only a cache miss
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):  # a cache that cannot be written is skipped
                super().dump_bytecode(bucket)

    folder = cache_home() / f"templates-{cache_key(env)}"
    return Cache(str(folder), "%s.cache") if _private_folder(folder) else None


def render(templates: Confined, context: dict[str, Any]) -> str:
    return run_template(lambda: _environment(templates).get_template(TEMPLATE), context,
                        TEMPLATE, N_("the report's data"))


# What the process may grow by while a template renders.
_HEADROOM = 1 << 30
TEMPLATE_ERROR = N_("{where}: template error: {error}")
IN_TEMPLATE = N_("template {name}: {error}")


def run_template(load: Callable[[], Any], context: dict[str, Any], name: str, shows: str
                 ) -> str:
    """The template ``load`` gives, rendered with ``context`` in bounded memory. Whatever
    goes wrong is said as the template's error, with its file and line where it has
    one; only an error in malpl's own code that the template called is reported as a bug.
    ``shows`` (marked with :func:`N_`) says what a template may show."""
    import jinja2
    from jinja2.exceptions import SecurityError

    fix = _("fix the template, or remove it to use the shipped one")
    shows = _(shows)
    try:
        with bounded_memory(), bounded_time():
            return load().render(context)
    except TimeLimit as err:
        where = _template_line(err.__traceback__)
        said = (_("template {name} ran longer than {seconds} seconds (stopped at {where})")
                if where else _("template {name} ran longer than {seconds} seconds"))
        raise MalplError(said.format(name=name, seconds=f"{TIME_LIMIT:g}", where=where),
                         _("a template shows {shows}; look for loops inside loops").format(
                             shows=shows)) from err
    except jinja2.TemplateSyntaxError as err:
        raise MalplError(_(TEMPLATE_ERROR).format(where=f"{err.filename or err.name}:"
                                                        f"{err.lineno}", error=err.message),
                         fix) from err
    except SecurityError as err:
        raise MalplError(_("template {name} tried something a template may not: "
                           "{error}").format(name=name, error=err),
                         _("templates may only show {shows} (docs/templates.md)").format(
                             shows=shows)) from err
    except jinja2.UndefinedError as err:
        raise MalplError(_(IN_TEMPLATE).format(name=name, error=err.message),
                         _("check the names the template uses (docs/templates.md)")) from err
    except jinja2.TemplateError as err:
        raise MalplError(_(IN_TEMPLATE).format(name=name, error=err),
                         _("fix the template")) from err
    except MemoryError as err:
        raise MalplError(_("template {name} made more than {gb} GB of data").format(
                             name=name, gb=_HEADROOM >> 30),
                         _("a template shows {shows}; it need not build huge texts").format(
                             shows=shows)) from err
    except RecursionError as err:
        where = _template_line(err.__traceback__) or _("template {name}").format(name=name)
        raise MalplError(_(TEMPLATE_ERROR).format(
            where=where, error=_("a macro or loop calls itself without end")), fix) from err
    except UnicodeDecodeError as err:
        line = _template_line(err.__traceback__)
        if line is None:  # reading the template file itself
            raise MalplError(_("template {name} is not UTF-8 text: {reason} at byte "
                               "{byte}").format(name=name, reason=err.reason, byte=err.start),
                             _("save the template as UTF-8")) from err
        raise MalplError(_(TEMPLATE_ERROR).format(where=line, error=err), fix) from err
    except (ArithmeticError, LookupError, TypeError, ValueError, AssertionError, AttributeError,
            RuntimeError) as err:
        line = _template_line(err.__traceback__)
        if line is None:  # raised in malpl's own code: a bug, reported as one
            raise
        raise MalplError(_(TEMPLATE_ERROR).format(where=line,
                                                  error=f"{type(err).__name__}: {err}"),
                         fix) from err


@contextlib.contextmanager
def bounded_memory() -> Iterator[None]:
    """At most 1 GB more address space for the process meanwhile (on Linux; elsewhere no
    bound). A template can build a huge text in one step in C (``'x'|center(10**10)``,
    ``'%1000000000d' % 1``) that nothing could interrupt; bounded, it is a MemoryError."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        yield  # not Linux: no bound
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + _HEADROOM if hard == resource.RLIM_INFINITY else min(size + _HEADROOM, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield  # bounded more tightly already
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# malpl's code that works for a template as Jinja does: the sandbox, and printing.
_FOR_THE_TEMPLATE = ("templating.py", "markdown.py")


def _template_line(trace: Any) -> str | None:
    """``path:line`` in the template where an error arose, when it arose there (or in
    Jinja, the sandbox, the printing of a value or Python working for it) and not in
    malpl's code the template called."""
    found = None
    package = str(Path(__file__).resolve().parent.parent)
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = f"{name}:{trace.tb_lineno}"
        elif name.startswith(package) and Path(name).name not in _FOR_THE_TEMPLATE:
            found = None
        trace = trace.tb_next
    return found
