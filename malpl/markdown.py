"""The one escaping rule for Markdown, and the type that marks text as escaped.

Whatever a person wrote stays text. The output must read as the same text in
pandoc's Markdown and on GitHub or GitLab (CommonMark), so every character
either dialect could take as markup, where it could, is backslash-escaped (both
accept a backslash before any ASCII punctuation), and nothing else: the file
reads as the text a person wrote. :func:`wrap` breaks its long lines.

:class:`Md` is Markdown that is safe to print. The report's template
environment prints an ``Md`` as it is and escapes everything else (see
:func:`safe` and :mod:`malpl.report`), so user text is escaped by construction,
not by remembering a filter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import lru_cache, partial
from typing import Any

import msgspec
from markupsafe import Markup

from malpl.record import Record, readable
from malpl.text import LAYOUT_SPACE, visible

# Only ASCII whitespace is layout; a no-break space is something a person chose.
_SPACE = re.compile(f"[{re.escape(LAYOUT_SPACE)}]+")
_SPACE_TO_COLLAPSE = ("  ", *LAYOUT_SPACE[1:])
# What pandoc's Markdown or CommonMark (GitHub) could read as markup, and nothing more, so
# that the file reads as plain text ("1.1", "1:1", "6.5" and "&" as written):
# - anywhere: backslash, code, emphasis (*; _ at a word's edge), links and spans ([ ]),
#   attributes ({), table cells (|), sub/superscript and strikeout (^ ~), math ($);
# - where it would start something: an HTML tag, comment or autolink (< but before a
#   space, a digit or =), an entity (&name; &#1;), a citation (@ at a word's start), an
#   emoji shortcode (:name:), a heading's closing hashes (# at the end after a space).
# GitHub links a bare address or e-mail address: the same text, as a link.
_INLINE = re.compile(r"[\\`*\[\]{|^~$]|(?<![^\W_])_|_(?![^\W_])|<(?![\s\d=]|$)"
                     r"|&(?=#?\w+;)|(?<![^\W_])@|#(?=#*$)")
_EMOJI = re.compile(r":(?=[\w+-]+:)")
# Block markup counts at the start of a paragraph (a wrapped line never starts with
# anything but a letter, see :func:`wrap`): headings, quotes, lists, rules, fences,
# definitions, setext underlines, title blocks; and ordered-list markers followed by a
# space: 1. a) iv. A) (1).
_FIRST_PUNCT = re.compile(r"^(?:[>%~]|#(?![^\W_])|([-+*=:])(?=\s|$|\1))")
_LIST_MARKER = re.compile(r"^(\(?)(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])(?=\s|$)")


class Md(Markup):
    """Markdown that may be printed as it is: escaped user text, or malpl's own markup.

    A subclass of :class:`markupsafe.Markup`, so Jinja's autoescaping passes it
    through; joining it with plain text escapes that text as Markdown.
    """

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any) -> Md:
        if isinstance(s, Markup):
            return s if isinstance(s, cls) else cls(str(s))
        return _escaped(str(s))

    # Taking escaped text apart can cut an escape in two or drop its backslash ("\\#" to
    # "#"), and the pieces would print as markup. So the pieces are plain text again:
    # printed, they are escaped once more (a backslash may show; markup never does).
    def __getitem__(self, key: Any) -> str:  # type: ignore[override]
        return str(self)[key]

    def replace(self, old: Any, new: Any, count: Any = -1) -> str:  # type: ignore[override]
        return str(self).replace(str(old), str(new), count)

    def translate(self, table: Any) -> str:  # type: ignore[override]
        return str(self).translate(table)

    def removeprefix(self, prefix: Any) -> str:  # type: ignore[override]
        return str(self).removeprefix(str(prefix))

    def removesuffix(self, suffix: Any) -> str:  # type: ignore[override]
        return str(self).removesuffix(str(suffix))

    # Trimming white space (|trim) keeps escaped text escaped; trimming anything else
    # may leave a backslash that escapes what follows.
    def strip(self, chars: Any = None) -> Any:
        return _trimmed(str(self).strip(chars), chars)

    def lstrip(self, chars: Any = None) -> Any:
        return _trimmed(str(self).lstrip(chars), chars)

    def rstrip(self, chars: Any = None) -> Any:
        return _trimmed(str(self).rstrip(chars), chars)

    def split(self, sep: Any = None, maxsplit: Any = -1) -> list[str]:  # type: ignore[override]
        return str(self).split(sep, maxsplit)

    def rsplit(self, sep: Any = None, maxsplit: Any = -1) -> list[str]:  # type: ignore[override]
        return str(self).rsplit(sep, maxsplit)

    def partition(self, sep: Any) -> tuple[str, str, str]:  # type: ignore[override]
        return str(self).partition(sep)

    def rpartition(self, sep: Any) -> tuple[str, str, str]:  # type: ignore[override]
        return str(self).rpartition(sep)

    def splitlines(self, keepends: Any = False) -> list[str]:  # type: ignore[override]
        return str(self).splitlines(keepends)


@lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> Md:
    """The escaping itself; cached, as a report repeats the same labels, units and
    names thousands of times (an ``Md`` never changes, so one serves every use)."""
    return _new_md(Md, _escape_text(text))


# Md from text known to be a plain str: str's own constructor, without Markup's checks
# for another markup object (a report makes hundreds of thousands).
_new_md = str.__new__


def _escape_text(text: str) -> str:
    text = visible(text)
    if any(space in text for space in _SPACE_TO_COLLAPSE):
        text = _SPACE.sub(" ", text)
    text = _INLINE.sub(_backslashed, text.strip(LAYOUT_SPACE))
    if ":" in text:
        text = _EMOJI.sub(r"\\:", text)
    if _FIRST_PUNCT.match(text):
        return "\\" + text
    return _LIST_MARKER.sub(r"\1\2\\\3", text, count=1)


def _trimmed(text: str, chars: str | None) -> Md | str:
    return Md(text) if chars is None or not chars.strip(LAYOUT_SPACE) else text


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group()


def escape(text: str) -> Md:
    """One paragraph (newlines become spaces) as Markdown that reads as the same text."""
    return Md.escape(text)


def safe(value: Any) -> Any:
    """``value`` with every string in it escaped to :class:`Md`, recursively.

    The report context goes through here (or :func:`safe_lazily`): afterwards it
    holds only ``Md``, numbers, booleans, ``None``, lists, dicts and :class:`Escaped`
    records. Anything else is an error, so that no new kind of value reaches a
    template unescaped.
    """
    if isinstance(value, Markup):
        return Md.escape(value)
    if isinstance(value, str):
        return escape(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):  # keys are names to look up, escaped only when printed
        return {k: safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe(v) for v in value]
    if isinstance(value, dt.date):
        return escape(value.isoformat())
    if isinstance(value, Record):
        return safe({n: getattr(value, n) for n in readable(type(value))})
    if isinstance(value, msgspec.Struct):  # the file format: its data, not its properties
        return safe(msgspec.to_builtins(value))
    raise TypeError(f"cannot make a {type(value).__name__} safe for a template")


class Escaped(Mapping[str, Any]):
    """A read-only record whose values are escaped as :func:`safe` would, when first read.

    A goal or a measure holds far more text than a template prints (every period's
    follow-ups, every data point); escaping all of it up front was most of the
    rendering time of a report of hundreds of goals.
    """

    __slots__ = ("_done", "_keys", "_read")

    def __init__(self, read: Callable[[str], Any], keys: Collection[str]) -> None:
        self._read, self._keys = read, keys
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._done[key]
        except KeyError:
            if key not in self._keys:
                raise
        value = self._done[key] = safe_lazily(self._read(key))
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"Escaped({', '.join(self._keys)})"


def safe_lazily(value: Any) -> Any:
    """As :func:`safe`, but records (dicts, views, goals) escape each value when read."""
    if isinstance(value, dict):
        return Escaped(value.__getitem__, value.keys())
    if isinstance(value, Record):
        return Escaped(partial(getattr, value), readable(type(value)))
    if isinstance(value, msgspec.Struct):
        return safe_lazily(msgspec.to_builtins(value))
    if isinstance(value, (list, tuple)):
        return [safe_lazily(v) for v in value]
    return safe(value)



# Lines that must stay one line: table rows, headings, pictures, comments, fenced divs.
_WHOLE_LINE = ("|", "#", "![", "<!--", ":::")
_TAG = re.compile(r"(?<!\\)<[^<>]*>")  # malpl's own (a person's '<' is escaped)


def wrap(markdown: str, width: int = 88) -> str:
    """The Markdown with each paragraph's long lines broken at ``width``, so the file
    reads as text; table rows, headings and pictures stay whole (their syntax is one line).

    A line breaks only at a space before a letter that opens no list item, never inside
    a tag: a line that starts with a letter opens no block in either dialect, and the
    paragraph reads the same.
    """
    out = []
    for line in markdown.split("\n"):
        if len(line) <= width or line.startswith(_WHOLE_LINE):
            out.append(line)
            continue
        tags = [m.span() for m in _TAG.finditer(line)]
        start = 0
        while len(line) - start > width:
            cut = _break_before(line, start, start + width, tags)
            if cut is None:
                break
            out.append(line[start:cut].rstrip(" "))
            start = cut
        out.append(line[start:])
    return "\n".join(out)


def _break_before(line: str, start: int, limit: int, tags: list[tuple[int, int]]) -> int | None:
    """Where the line may break: the last such word start at or before ``limit`` (or the
    first after it, for a long word), or None."""
    best = None
    at = line.find(" ", start + 1)
    while at != -1:
        word = at + 1
        if word < len(line) and line[word].isalpha() and not _LIST_MARKER.match(line, word) \
                and not any(a < word < b for a, b in tags) and line[word - 2:word] != "  ":
            if word > limit and best is not None:
                return best
            best = word
            if word > limit:
                return best
        at = line.find(" ", word)
    return best if best is not None and best > start else None
