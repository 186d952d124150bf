"""One rule for the characters people write, the same in every output.

A goal file may hold any Unicode text. Most of it is shown as written; a few
characters are never *acted on* by a terminal, a browser or Word, but shown
as what they are, so that nothing can clear a screen, hide a line, reverse a
line's direction or fake a paragraph break:

* C0 and C1 control characters (except tab and newline) and DEL become their
  visible picture: ESC is shown as ``␛``, NUL as ``␀``, a C1 code as ``<U+009B>``;
* bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the
  line and paragraph separators U+2028/U+2029 become ``<U+202E>`` and so on;
* lone surrogates and noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last
  two code points of every plane), which YAML escapes can produce but no XML
  document (DOCX, SVG) may hold, become ``<U+FFFF>`` and so on.

Paragraphs are separated by newlines only (``\\n``), never by the other
characters Python's ``str.splitlines`` treats as line ends. Only ASCII
whitespace is layout: a no-break space or an ideographic space at the edge of a
paragraph is something a person typed, and is kept.

A name (a file's path, a revision) has no layout: where a message names one, a tab
or a line break in it is shown too, and a name longer than a line is cut short.
"""

from __future__ import annotations

import re

LAYOUT_SPACE = " \t\r\n\f\v"
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                         for plane in range(0, 0x110000, 0x10000))
_BMP_INVISIBLE = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                  "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff")
_INVISIBLE = re.compile(f"[{_BMP_INVISIBLE}{_NONCHARACTERS}]")
# The same rule for text without the noncharacters beyond U+FFFF, which is nearly all
# text: a class within the BMP compiles to a lookup table, ten times faster to scan
# than the list of ranges the full class needs; a report escapes megabytes of text.
_INVISIBLE_IN_BMP = re.compile(f"[{_BMP_INVISIBLE}]")
_ASTRAL_NONCHARACTERS = tuple(_NONCHARACTERS[2:])


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def _rule(text: str) -> re.Pattern[str]:
    """The rule's pattern, the faster one when ``text`` has no noncharacter beyond U+FFFF."""
    if any(ch in text for ch in _ASTRAL_NONCHARACTERS):  # each test is quick: no match
        return _INVISIBLE                                 # is possible in a narrower str
    return _INVISIBLE_IN_BMP


def visible(text: str) -> str:
    """``text`` with every control, bidi or separator character shown, not obeyed."""
    return _rule(text).sub(_picture, text)


_LAYOUT_PICTURES = {0x09: "\u2409", 0x0A: "\u240a"}  # ␉ ␊
NAME_LIMIT = 60  # characters of a name a message repeats


def visible_line(text: str) -> str:
    """``text`` as part of one line: :func:`visible`, with a tab or a line break shown
    (``␉``, ``␊``) too. For a name (a path, a revision, a value quoted in a message),
    which has no layout: a line break in a file's name must not split the line naming it."""
    return visible(text).translate(_LAYOUT_PICTURES)


def visible_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A name a person typed, as :func:`visible_line` cut to ``limit`` characters and "…":
    git takes a revision of 100 000 characters, and no message should repeat it whole."""
    return visible_line(text if len(text) <= limit else text[:limit] + "…")


def invisible_characters(text: str) -> list[str]:
    """The characters :func:`visible` would replace, in order, as ``U+XXXX`` names."""
    return [f"U+{ord(ch):04X}" for ch in _rule(text).findall(text)]


def paragraphs(text: str | None) -> list[str]:
    """Each non-empty line is a paragraph; only ASCII spaces at its edges are layout."""
    if not text:
        return []
    lines = text.replace("\r\n", "\n").split("\n")
    return [stripped for line in lines if (stripped := line.strip(LAYOUT_SPACE))]
