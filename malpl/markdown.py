"""The one escaping filter for Markdown: whatever a person wrote stays text.

The output must read as the same text in pandoc's Markdown and on GitHub or
GitLab (CommonMark), so every character either dialect could take as markup is
backslash-escaped; both accept a backslash before any ASCII punctuation.
"""

from __future__ import annotations

import re

# Only ASCII whitespace is layout; a no-break space is something a person chose.
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# Inline markup in pandoc or CommonMark: emphasis, code, links, raw HTML, tables,
# attributes, math, citations, super/subscript, entities, emoji shortcodes.
_INLINE = re.compile(r"([\\`*_{}\[\]<>|#~^$@&]|:(?=\S))")
# Markup that only counts at the start of a paragraph: lists, quotes, headings.
_LINE_START = re.compile(r"^(\s*)([-+=>%]|\d+(?=[.)]))")


def escape(text: str) -> str:
    """Escape one paragraph (no newlines inside) for Markdown."""
    text = _SPACE.sub(" ", text).strip()
    text = _INLINE.sub(r"\\\1", text)
    match = _LINE_START.match(text)
    if match:
        if match.group(2)[0].isdigit():
            end = match.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = text[: match.start(2)] + "\\" + text[match.start(2):]
    return text
