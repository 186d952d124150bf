"""Report templates: where they are found, and the sandbox they render in.

A repository may bring its own ``report.md.j2``, ``report.css`` and
``malpl.lua``. A template only shows data: it runs in Jinja's sandbox, and
anything it prints that is not :class:`~malpl.markdown.Md` is escaped. A Lua
filter runs code, so a repository's own runs only when the user allows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from malpl import swedish
from malpl.markdown import Md, escape
from malpl.repository import MalplError

TEMPLATE = "report.md.j2"
FILTER = "malpl.lua"


def shipped_templates() -> Path:
    """Templates installed with the package, or those of a source checkout."""
    installed = Path(__file__).resolve().parent.parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent.parent / "templates"


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


def render(dirs: list[Path], context: dict[str, Any]) -> str:
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
