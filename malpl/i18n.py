"""What malpl says, in Swedish by default and in English on request.

Messages are written in English in the code, marked with :func:`_` (or :func:`ngettext`
where a number decides the form), and translated to Swedish in gettext catalogues under
``malpl/locale/sv/LC_MESSAGES/``: one ``.po`` per part of the program, so that the
people working on different parts never edit the same catalogue. The compiled ``.mo``
files are committed beside them (``python tools/catalogues.py`` extracts, updates and
compiles them with Babel; a test fails when a ``.mo`` is older than its ``.po`` or a
message has no translation), so a fresh clone's editable install speaks Swedish with
no build step.

The language is English with ``MALPL_LANG=en`` or ``language: en`` in ``malpl.yaml``,
and Swedish otherwise. Problem codes (``unknown-field``) and JSON keys are identifiers,
never translated. argparse's own words ("usage:", "options:") go through the same
catalogues (:func:`translate_argparse`).
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LANGUAGES = ("sv", "en")
DEFAULT = "sv"
LOCALE = Path(__file__).resolve().parent / "locale"

_chosen: str | None = None


def language() -> str:
    """The language in use: ``MALPL_LANG`` first, then what :func:`use` was given, then
    Swedish."""
    wanted = os.environ.get("MALPL_LANG", "").strip().lower()[:2]
    if wanted in LANGUAGES:
        return wanted
    return _chosen or DEFAULT


def use(lang: str | None) -> None:
    """The repository's choice (``language:`` in malpl.yaml); ``MALPL_LANG`` still wins."""
    global _chosen
    _chosen = lang if lang in LANGUAGES else None


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    """Every compiled catalogue of ``lang``, chained: a message is looked up in each."""
    if lang == "en":  # the messages are written in English
        return gettext.NullTranslations()
    chain = gettext.NullTranslations()
    folder = LOCALE / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.mo")) if folder.is_dir() else []:
        with path.open("rb") as handle:
            part = gettext.GNUTranslations(handle)
        part.add_fallback(chain)
        chain = part
    return chain


def _(message: str) -> str:
    """``message`` in the language in use."""
    return _catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things, in the language in use."""
    return _catalogue(language()).ngettext(singular, plural, n)


def translations(message: str) -> list[str]:
    """``message`` in every language, in the order of :data:`LANGUAGES`: for recognising
    what malpl wrote in either (a spreadsheet's header row)."""
    return [_catalogue(lang).gettext(message) for lang in LANGUAGES]


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where it is
    shown, with :func:`_`."""
    return message


def peek(root: Path) -> str | None:
    """The ``language:`` line of ``root/malpl.yaml``, read before the command line is
    parsed (its help and errors are said in it) without loading YAML; the loaded
    configuration settles it (:func:`use`)."""
    import re

    try:
        with (root / "malpl.yaml").open("rb") as handle:
            head = handle.read(1 << 16).decode("utf-8", "replace")
    except OSError:
        return None
    found = re.search(r"^language:[ \t]*[\"']?(sv|en)\b", head, re.MULTILINE)
    return found[1] if found else None


def translate_argparse() -> None:
    """argparse looks its words up with the ``_`` and ``ngettext`` of its own module when
    it prints them: give it ours, so that "usage:" reads "användning:"."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
