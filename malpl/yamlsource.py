"""Read one YAML file into plain data plus the position of every node.

PyYAML's C parser composes the node graph; we turn it into dicts, lists and
scalars ourselves so that we can (a) record where each value sits, (b) refuse
what a hand-written goal file never needs and what makes files unsafe or
surprising: duplicate keys, aliases, merge keys and language-specific tags.
Mapping keys are kept as written (``2022`` and ``1.10`` stay the strings
``"2022"`` and ``"1.10"``).

A large repository is hundreds of thousands of nodes, so loading is written for
speed and small memory: positions are packed integers in flat arrays, not a
tuple per node, and the cyclic garbage collector is paused while a file's
(acyclic, short-lived) node graph exists.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import msgspec
import yaml
from yaml.nodes import MappingNode, ScalarNode

from malpl.i18n import N_, _
from malpl.problems import Problem
from malpl.text import invisible_characters, visible

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONVERT = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}
_TAG_WORDS = {"int": N_("a whole number"), "float": N_("a number"),
              "bool": N_("true or false"), "null": N_("nothing (null)")}
_LONG_NUMBER = re.compile(r"[-+]?[0-9_]{4000,}(\.[0-9_]*)?([eE][-+]?[0-9]+)?")
MAX_DEPTH = 24  # a goal file needs about 8; deeper is a mistake or an attack
_CP1252_HINTS = "åäöÅÄÖéÉü"
# A position is packed as line << 32 | column + 1 (line 0-based, column 1-based), so 0 is none.
_COLUMN_MASK = (1 << 32) - 1


def _unpack(packed: int) -> tuple[int, int]:
    """The 1-based (line, column) of a packed position."""
    return (packed >> 32) + 1, packed & _COLUMN_MASK


class Source(msgspec.Struct):
    """A loaded file: its data and where each value was written.

    Every value in ``data`` has a slot, numbered in the order the file is read
    (the root is slot 0, then each value before its children). ``_values`` and
    ``_keys`` hold the packed position of a slot's value and of its key
    (0: none), ``_ends`` the slot after its last descendant, so that
    :meth:`where` finds a path by skipping whole siblings (so ``data`` must
    stay as loaded; nothing changes it). ``raw`` keeps the
    text of scalars that YAML turned into numbers or booleans, so that an error
    can quote what the person wrote.
    """

    path: str
    data: Any = None
    raw: dict[Path_, str] = msgspec.field(default_factory=dict)
    problems: list[Problem] = msgspec.field(default_factory=list)
    #: Could a value hold a control character? Only through an escape or one written raw.
    may_hide: bool = False
    _values: array = msgspec.field(default_factory=lambda: array("Q"))
    _keys: array = msgspec.field(default_factory=lambda: array("Q"))
    _ends: array = msgspec.field(default_factory=lambda: array("Q"))

    def _child(self, slot: int, container: object, step: object) -> int | None:
        """The slot of ``container[step]``, where ``container`` is the value in ``slot``."""
        ends = self._ends
        if isinstance(container, dict):
            try:
                if step not in container:
                    return None
            except TypeError:  # an unhashable step cannot be a key
                return None
            slot += 1
            for key in container:
                if key == step:
                    return slot
                slot = ends[slot]
        elif isinstance(container, list) and isinstance(step, int) \
                and 0 <= step < len(container):
            slot += 1
            for _skipped in range(step):
                slot = ends[slot]
            return slot
        return None

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) of ``path``, or of its nearest written ancestor.

        With ``key``, the position of the key the value is written under, where it has one.
        """
        if not self._values:
            return 1, 1
        trail = [0]
        value = self.data
        for step in path:
            slot = self._child(trail[-1], value, step)
            if slot is None:
                break
            trail.append(slot)
            value = value[step]
        for slot in reversed(trail):
            if key and self._keys[slot]:
                return _unpack(self._keys[slot])
            if self._values[slot]:
                return _unpack(self._values[slot])
        return 1, 1

    def problem(self, path: Path_, code: str, message: str, hint: str = "", *,
                key: bool = False, severity: str = "error") -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.path, line, col, code, message, hint, severity)  # type: ignore[arg-type]


def decode(path: str, blob: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM), normalised to NFC; anything else is a problem."""
    if blob.startswith(b"\xef\xbb\xbf"):
        blob = blob[3:]
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as err:
        before = blob[: err.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        hint = _("save the file with the encoding UTF-8")
        try:
            guess = blob.decode("cp1252")
        except UnicodeDecodeError:
            guess = ""
        if guess and any(ch in guess for ch in _CP1252_HINTS):
            msg = _("file is not UTF-8; it looks like Windows-1252 (ANSI)")
            hint = _("in your editor choose 'Save with encoding' → UTF-8")
        elif blob.startswith((b"\xff\xfe", b"\xfe\xff")):
            msg = _("file is UTF-16, not UTF-8")
        else:
            msg = _("file is not UTF-8 (byte 0x{byte:02x} cannot be read)").format(
                byte=blob[err.start])
        return None, Problem(path, line, col, "encoding", msg, hint)
    return unicodedata.normalize("NFC", text), None


_SYNTAX_HINTS = (
    ("found a tab character", N_("YAML is indented with spaces: replace the tab on this "
                                 "line with spaces")),
    ("cannot start any token", N_("YAML is indented with spaces; replace tabs and quote "
                                  "text that starts with a special character such as @, ` or %")),
    ("mapping values are not allowed", N_("check the indentation, and put text that "
                                          "contains ': ' in quotes or write it as a block "
                                          "with '|'")),
    ("expected a single document", N_("a file holds one goal: remove the extra '---' line")),
    ("could not find expected ':'", N_("every line in a mapping needs 'key: value'; "
                                       "continue long text indented under its key or use '|'")),
    ("did not find expected", N_("check the indentation: indent two spaces per level, and "
                                 "start the lines of one level in the same column")),
    ("special characters are not allowed", N_("the file holds a control character; "
                                              "retype the line or save the file again as "
                                              "plain UTF-8 text")),
    ("found unknown escape character", N_("inside double quotes a backslash starts an "
                                          "escape; use single quotes or write \\\\")),
)


# What the YAML parser says, in words that can be translated; its context ("while
# parsing a block mapping") says nothing to a person and is left out.
_YAML_WORDS = {
    "did not find expected key": N_("a line is not where YAML expected the next key"),
    "did not find expected '-' indicator": N_("a line is not where YAML expected the next "
                                              "'- ' item of the list"),
    "could not find expected ':'": N_("a line has no ':' after its key"),
    "mapping values are not allowed in this context": N_("a ':' where YAML did not expect "
                                                         "one"),
    "mapping values are not allowed here": N_("a ':' where YAML did not expect one"),
    "found character that cannot start any token": N_("a character that cannot start a "
                                                      "value here"),
    "found unexpected end of stream": N_("the file ends in the middle of a value"),
    "but found another document": N_("the file holds a second document after '---'"),
    "did not find expected ',' or ']'": N_("a list in [ ] is not closed with ']'"),
    "did not find expected ',' or '}'": N_("a mapping in { } is not closed with '}'"),
    "found unknown escape character": N_("an unknown escape after a backslash"),
    "found a tab character that violates indentation": N_("a tab where YAML expects spaces"),
    "found a tab character where an indentation space is expected": N_(
        "a tab where YAML expects spaces"),
}


def _syntax_problem(path: str, err: yaml.YAMLError, text: str) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(err, "problem", None) or str(err)
    said = _(_YAML_WORDS[what]) if what in _YAML_WORDS else what
    start = getattr(err, "context_mark", None)
    first = start.line if start is not None else 0
    opened = _unclosed_quote(text, first, line)
    if opened is not None:  # the text ran on to a later quote; the mistake is here
        at, quote = opened
        return Problem(path, at[0], at[1], "yaml-syntax",
                       _("the text in quotes that starts here is not closed; YAML read on to "
                         "line {line} and stopped there ({what})").format(line=line, what=said),
                       _("end the text with {quote} on this line").format(quote=quote))
    lines = text.splitlines()
    key_scan = getattr(err, "context", None) == "while scanning a simple key"
    moved = (_shallow_line(lines, first) if key_scan and start is not None
             else _odd_indent(lines, first, line))
    if moved is not None:
        return _indent_problem(path, lines, moved, line, said)
    told = f"{what} ({getattr(err, 'context', None)})"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in told),
                N_("check indentation and quoting near this line"))
    return Problem(path, line, col, "yaml-syntax",
                   _("invalid YAML: {what}").format(what=said), _(hint))


class _Indent(NamedTuple):
    """A re-indentation that makes the file valid: of ``line`` (from 0) to ``spaces``, with
    the lines under it moved along (``under``); ``shallow``: it was indented too little."""

    line: int
    spaces: int
    under: bool
    shallow: bool


_ATTEMPTS = 16  # each attempt parses the file again: only a few, for a file of any size


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _reindented(lines: list[str], number: int, spaces: int, under: bool) -> list[str]:
    """``lines`` with line ``number`` indented by ``spaces``, and with ``under`` the lines
    more indented than it that follow it moved by as much."""
    was = _indent(lines[number])
    shift = spaces - was
    changed = list(lines)
    changed[number] = " " * spaces + lines[number][was:]
    for i in range(number + 1, len(lines)) if under else ():
        if lines[i].strip() and _indent(lines[i]) <= was:
            break
        changed[i] = " " * max(0, _indent(lines[i]) + shift) + lines[i].lstrip(" ")
    return changed


def _first_fix(lines: list[str], number: int, tries: list[tuple[int, bool]], shallow: bool,
               budget: list[int]) -> _Indent | None:
    for spaces, under in tries:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        if _parses("\n".join(_reindented(lines, number, spaces, under))):
            return _Indent(number, spaces, under, shallow)
    return None


def _odd_indent(lines: list[str], first: int, last: int) -> _Indent | None:
    """The first line from ``first`` (from 0) to ``last`` (from 1) indented by an odd number
    of spaces whose moving one space in or out makes the file valid: goal files are
    indented two spaces a level, so a slip of one space is the likely mistake, which YAML
    notices only where the next line does not fit."""
    budget = [_ATTEMPTS]
    for number in range(first, min(last, len(lines))):
        text = lines[number]
        spaces = _indent(text)
        if not text.strip() or text.lstrip().startswith("#") or spaces % 2 == 0:
            continue
        above = next((_indent(t) for t in reversed(lines[:number]) if t.strip()), 0)
        tries = [(spaces - 1, False), (spaces + 1, False), (spaces - 1, True),
                 (spaces + 1, True), (above, False), (above + 2, False)]  # text going on
        found = _first_fix(lines, number, list(dict.fromkeys(tries)), False, budget)
        if found is not None or budget[0] <= 0:
            return found
    return None


def _shallow_line(lines: list[str], number: int) -> _Indent | None:
    """A line that YAML took for a new key without ':' (from 0): when indenting it as the
    text above, or two spaces under the key above it, makes the file valid, it is the
    continuation of that text, indented too little."""
    if number >= len(lines):
        return None
    spaces = _indent(lines[number])
    above = next((_indent(t) for t in reversed(lines[:number]) if t.strip()), 0)
    tries = [(s, False) for s in dict.fromkeys((above, spaces + 2)) if s > spaces]
    return _first_fix(lines, number, tries, True, [_ATTEMPTS])


def _indent_problem(path: str, lines: list[str], fix: _Indent, stopped: int,
                    said: str) -> Problem:
    """The problem at the line to indent, saying by how much."""
    number, spaces = fix.line, fix.spaces
    was = _indent(lines[number])
    if fix.shallow:
        key = next((found[1] for t in reversed(lines[:number])
                    if (found := _KEY.match(t)) and _indent(t) <= was), "")
        message = _("this line is indented too little: it goes on with the text above, but "
                    "YAML read it as a new key (without ':')")
        hint = (_("indent it by {spaces} spaces, as the text above: text that goes on over "
                  "several lines is indented further than its key (`{key}:`)")
                if key else _("indent it by {spaces} spaces, as the text above"))
        return Problem(path, number + 1, was + 1, "yaml-syntax", message,
                       hint.format(spaces=spaces, key=key))
    same = next((i + 1 for i in range(number - 1, -1, -1)
                 if lines[i].strip() and _indent(lines[i]) == spaces
                 and lines[i].lstrip().startswith("-") == lines[number].lstrip().startswith("-")),
                None)
    message = (_("this line is indented by {was} spaces, which is no level: goal files are "
                 "indented two spaces a level") if stopped == number + 1 else
               _("this line is indented by {was} spaces, which is no level: goal files are "
                 "indented two spaces a level (YAML stopped at line {stopped}: {what})")).format(
        was=was, stopped=stopped, what=said)
    if fix.under:
        hint = _("indent it by {spaces} spaces, and move the lines under it along by as much")
    elif same is not None:
        hint = _("indent it by {spaces} spaces, as line {other} on the same level")
    else:
        hint = _("indent it by {spaces} spaces")
    return Problem(path, number + 1, was + 1, "yaml-syntax", message,
                   hint.format(spaces=spaces, other=same))


_KEY = re.compile(r"^\s*(?:-\s+)?([^\s\"'#:-][^:#]*?):(?:\s|$)")


# A value that opens with a quote: after "key: ", "- " or "- key: ".
_QUOTED_VALUE = re.compile(
    r"""^(\s*(?:-\s+(?:[^\s"'#][^:#]*:\s+)?|[^\s"'#][^:#]*:\s+))(["'])(.*)$""")


def _unclosed_quote(text: str, first: int, last: int) -> tuple[tuple[int, int], str] | None:
    """Where (line, column) a quoted value opens without closing on its line, among lines
    ``first``..``last`` (from 0; ``last`` from 1), when closing it there makes the whole
    file valid: a quoted text may go on over lines, and a quote in a block's text is text."""
    lines = text.splitlines()
    for number in range(first, min(last, len(lines))):
        found = _QUOTED_VALUE.match(lines[number])
        if found is None:
            continue
        lead, quote, rest = found.groups()
        rest = re.sub(r"\\.", "", rest) if quote == '"' else rest.replace("''", "")
        if quote in rest:
            continue
        closed = [*lines[:number], lines[number] + quote, *lines[number + 1:]]
        if _parses("\n".join(closed)):
            return (number + 1, len(lead) + 1), quote
    return None


def _parses(text: str) -> bool:
    loader = _Loader(text)
    try:
        loader.get_single_node()
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return True


# The YAML 1.1 implicit types by the first character of a plain scalar, as in
# PyYAML's own resolver; no goal file needs path or catch-all resolvers.
_IMPLICIT = {first: tuple(resolvers)
             for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()}
assert None not in _IMPLICIT and not yaml.CSafeLoader.yaml_path_resolvers


class _Loader(yaml.CSafeLoader):
    """The C parser, with PyYAML's resolver made cheap for what goal files hold.

    The parser asks for a tag for every node. Quoted and block scalars are
    always text, and a plain scalar is tried only against the patterns for its
    first character (most text starts with a letter no pattern starts with).
    The answers are exactly those of :class:`yaml.CSafeLoader`.
    """

    def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):  # type: ignore[index]
                    if regexp.match(value):
                        return tag
            return _STR
        return _MAP if kind is MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""


class _Composer:
    """Turns a node graph into plain data, recording positions and refusals.

    This walk runs once per node of every file, so it is written for speed.
    """

    def __init__(self, source: Source, aliases_possible: bool) -> None:
        self.source = source
        self.values = source._values
        self.keys = source._keys
        self.ends = source._ends
        # An alias needs a '*' in the text; without one, no node can repeat.
        self.seen: set[int] | None = set() if aliases_possible else None

    def _refuse(self, node: yaml.Node, code: str, message: str, hint: str) -> None:
        self.source.problems.append(Problem(
            self.source.path, node.start_mark.line + 1, node.start_mark.column + 1,
            code, message, hint))

    def value(self, node: yaml.Node, path: Path_, key: yaml.Node | None = None) -> Any:
        """Convert ``node`` into the next slot; ``key`` is its key, where an alias
        is reported (the alias itself has no position of its own: it shares its
        anchor's node)."""
        values, ends = self.values, self.ends
        slot = len(values)
        if key is None:
            self.keys.append(0)
        else:
            mark = key.start_mark
            self.keys.append(mark.line << 32 | mark.column + 1)
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                values.append(0)
                ends.append(slot + 1)
                self._refuse(key or node, "alias", _("aliases (*name) are not allowed"),
                             _("write the value out in full where it is used"))
                return None
            seen.add(id(node))
        mark = node.start_mark
        values.append(mark.line << 32 | mark.column + 1)
        ends.append(slot + 1)
        tag = node.tag
        if tag == _STR:
            return node.value
        if len(path) > MAX_DEPTH:
            self._refuse(node, "yaml-syntax",
                         _("the data is nested more than {depth} levels deep").format(
                             depth=MAX_DEPTH),
                         _("goal files need only a few levels; check the indentation"))
            return None
        if tag == _MAP:
            result: Any = self.mapping(node, path, slot)
        elif tag == _SEQ:
            result = [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        elif tag == _TIMESTAMP:  # dates stay as written: "2023-04-30"
            return node.value
        else:
            return self.scalar(node, path, tag)
        ends[slot] = len(values)
        return result

    def scalar(self, node: yaml.Node, path: Path_, tag: str) -> Any:
        convert = _CONVERT.get(tag)
        if convert is None or not isinstance(node, ScalarNode):
            self._refuse(node, "tag", _("the tag '{tag}' is not allowed").format(tag=tag),
                         _("remove the '!…' tag; goal files hold only text, numbers, "
                           "lists and mappings"))
            return None
        self.source.raw[path] = node.value
        try:
            return convert(node)
        except (ValueError, KeyError):
            kind = tag.rpartition(":")[2]
            if not _LONG_NUMBER.fullmatch(node.value):  # a tag ('!!bool maybe') that lies
                said = _(_TAG_WORDS[kind]) if kind in _TAG_WORDS else kind
                self._refuse(node, "invalid-value",
                             _("'{value}' is not {said}, as its tag '!!{kind}' says").format(
                                 value=visible(node.value), said=said, kind=kind),
                             _("remove the '!!{kind}', or write {said} there").format(
                                 kind=kind, said=said))
                return None
            # Python refuses integers of more than 4 300 digits
            self._refuse(node, "invalid-value",
                         _("the number is too long to be read ({length} characters)").format(
                             length=len(node.value)),
                         _("write the number with at most 15 significant digits, "
                           "or put text in quotes"))
            return None

    def mapping(self, node: yaml.MappingNode, path: Path_, slot: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._refuse(key_node, "yaml-syntax", _("a key must be plain text"),
                             _("write keys as simple words followed by ':'"))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._refuse(key_node, "alias", _("merge keys (<<) are not allowed"),
                             _("write the keys out in full"))
                continue
            key = key_node.value
            if key in result:
                first = self.source._child(slot, result, key)
                self._refuse(key_node, "duplicate-key",
                             _("key '{key}' appears twice in the same mapping (first on line "
                               "{line})").format(key=key, line=_unpack(self.keys[first])[0]),  # type: ignore[index]
                             _("remove one of them or merge their contents"))
                continue
            if node.flow_style and result and _split_by_comma(key_node, value_node):
                self._split(key_node, next(reversed(result)), node)
            result[key] = self.value(value_node, (*path, key), key_node)
        return result

    def _split(self, key_node: ScalarNode, before: str, node: yaml.MappingNode) -> None:
        """A key without ':' after a comma in { }: most likely a decimal comma (0,9) or a
        comma in a text, which YAML took for the end of the entry."""
        value = next((v for k, v in node.value if k.value == before), None)
        if not isinstance(value, ScalarNode) or value.style or not value.value:  # quoted, or none
            return
        written = f"{value.value},{key_node.value}"
        if re.fullmatch(r"[-+]?[0-9]+,[0-9]+", written):
            hint = _("write the number with a decimal point: {key}: {number}").format(
                key=before, number=written.replace(",", "."))
        else:
            quoted = '"' + written.replace("\\", "\\\\").replace('"', '\\"') + '"'
            hint = _("put the text in quotes: {key}: {text}").format(key=before, text=quoted)
        self._refuse(key_node, "yaml-syntax",
                     _("inside {{ }} a comma ends the entry, so YAML read '{piece}' as a key of "
                       "its own, cut off from {key}").format(piece=key_node.value, key=before),
                     hint)


def _split_by_comma(key: yaml.Node, value: yaml.Node) -> bool:
    """Is ``key`` a plain word in { } with no ':' after it (its value empty, at its end)?"""
    return (isinstance(key, ScalarNode) and not key.style and isinstance(value, ScalarNode)
            and value.tag == "tag:yaml.org,2002:null" and not value.value
            and value.start_mark.index == value.end_mark.index)


def _compose(source: Source, text: str) -> None:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as err:
        source.problems.append(_syntax_problem(source.path, err, text))
        return
    finally:
        loader.dispose()
    if node is None:
        source.problems.append(Problem(source.path, 1, 1, "empty-file",
                                       _("the file holds no data"), _("fill it in or delete it")))
        return
    source.data = _Composer(source, "*" in text).value(node, ())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile, then leave it as it was.

    For building large acyclic data: reference counting frees it, and the
    collector would only walk it, and everything built before it, again and
    again; that was the one part of loading that grew faster than the
    repository. Cycles made meanwhile are collected after.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_text(path: str, text: str) -> Source:
    """Parse ``text``; syntax errors become problems on the returned source.

    The node graph is freed before the collector runs again: it never sees it.
    """
    source = Source(path)
    with collector_paused():
        _compose(source, text)
    source.may_hide = "\\" in text or bool(invisible_characters(text))
    return source


def load_bytes(path: str, blob: bytes) -> Source:
    text, problem = decode(path, blob)
    if problem is not None:
        return Source(path, problems=[problem])
    return load_text(path, text)
