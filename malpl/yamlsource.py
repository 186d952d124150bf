"""Read one YAML file into plain data plus the position of every node.

PyYAML's C parser composes the node graph; we turn it into dicts, lists and
scalars ourselves so that we can (a) record where each value sits, keyed by its
path in the data, (b) refuse what a hand-written goal file never needs and
what makes files unsafe or surprising: duplicate keys, aliases, merge keys and
language-specific tags. Mapping keys are kept as written (``2022`` and
``1.10`` stay the strings ``"2022"`` and ``"1.10"``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from malpl.problems import Problem
from malpl.text import invisible_characters

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
MAX_DEPTH = 24  # a goal file needs about 8; deeper is a mistake or an attack
_CP1252_HINTS = "åäöÅÄÖéÉü"


@dataclass
class Source:
    """A loaded file: its data and where each value was written.

    ``positions`` maps a data path such as ``("targets", 0, "text")`` to the
    1-based (line, column) of the value, ``key_positions`` to that of its key.
    ``raw`` keeps the text of scalars that YAML turned into numbers or booleans,
    so that an error can quote what the person wrote.
    """

    path: str
    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Could a value hold a control character? Only through an escape or one written raw.
    may_hide: bool = False

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest written ancestor."""
        table = self.key_positions if key else self.positions
        while path:
            if path in table:
                return table[path]
            if key and path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

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
        hint = "save the file with the encoding UTF-8"
        try:
            guess = blob.decode("cp1252")
        except UnicodeDecodeError:
            guess = ""
        if guess and any(ch in guess for ch in _CP1252_HINTS):
            msg = "file is not UTF-8; it looks like Windows-1252 (ANSI)"
            hint = "in your editor choose 'Save with encoding' → UTF-8"
        elif blob.startswith((b"\xff\xfe", b"\xfe\xff")):
            msg = "file is UTF-16, not UTF-8"
        else:
            msg = f"file is not UTF-8 (byte 0x{blob[err.start]:02x} cannot be read)"
        return None, Problem(path, line, col, "encoding", msg, hint)
    return unicodedata.normalize("NFC", text), None


_SYNTAX_HINTS = (
    ("cannot start any token", "YAML is indented with spaces; replace tabs and quote "
     "text that starts with a special character such as @, ` or %"),
    ("mapping values are not allowed", "check the indentation, and put text that "
     "contains ': ' in quotes or write it as a block with '|'"),
    ("expected a single document", "a file holds one goal: remove the extra '---' line"),
    ("could not find expected ':'", "every line in a mapping needs 'key: value'; "
     "continue long text indented under its key or use '|'"),
    ("did not find expected key", "check the indentation: items at the same level "
     "must start in the same column"),
    ("special characters are not allowed", "the file holds a control character; "
     "retype the line or save the file again as plain UTF-8 text"),
    ("found unknown escape character", "inside double quotes a backslash starts an "
     "escape; use single quotes or write \\\\"),
)


def _syntax_problem(path: str, err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    message = f"invalid YAML: {what}" + (f" ({context})" if context else "")
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in message),
                "check indentation and quoting near this line")
    return Problem(path, line, col, "yaml-syntax", message, hint)


class _Composer:
    """Turns a node graph into plain data, recording positions and refusals.

    This walk runs once per node of every file, so it is written for speed.
    """

    def __init__(self, source: Source, aliases_possible: bool) -> None:
        self.source = source
        self.positions = source.positions
        self.key_positions = source.key_positions
        # An alias needs a '*' in the text; without one, no node can repeat.
        self.seen: set[int] | None = set() if aliases_possible else None

    def _refuse(self, node: yaml.Node, code: str, message: str, hint: str) -> None:
        self.source.problems.append(Problem(
            self.source.path, node.start_mark.line + 1, node.start_mark.column + 1,
            code, message, hint))

    def value(self, node: yaml.Node, path: Path_, key: yaml.Node | None = None) -> Any:
        """Convert ``node``; ``key`` is its key, where an alias is reported (the
        alias itself has no position of its own: it shares its anchor's node)."""
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                self._refuse(key or node, "alias", "aliases (*name) are not allowed",
                             "write the value out in full where it is used")
                return None
            seen.add(id(node))
        mark = node.start_mark
        self.positions[path] = (mark.line + 1, mark.column + 1)
        tag = node.tag
        if tag == _STR:
            return node.value
        if len(path) > MAX_DEPTH:
            self._refuse(node, "yaml-syntax",
                         f"the data is nested more than {MAX_DEPTH} levels deep",
                         "goal files need only a few levels; check the indentation")
            return None
        if tag == _MAP:
            return self.mapping(node, path)
        if tag == _SEQ:
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        if tag == _TIMESTAMP:  # dates stay as written: "2023-04-30"
            return node.value
        convert = _CONVERT.get(tag)
        if convert is None or not isinstance(node, yaml.ScalarNode):
            self._refuse(node, "tag", f"the tag '{tag}' is not allowed",
                         "remove the '!…' tag; goal files hold only text, numbers, "
                         "lists and mappings")
            return None
        self.source.raw[path] = node.value
        try:
            return convert(node)
        except ValueError:  # Python refuses integers of more than 4 300 digits
            self._refuse(node, "invalid-value", "the number is too long to be read "
                         f"({len(node.value)} characters)",
                         "write the number with at most 15 significant digits, "
                         "or put text in quotes")
            return None

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_positions = self.key_positions
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._refuse(key_node, "yaml-syntax", "a key must be plain text",
                             "write keys as simple words followed by ':'")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._refuse(key_node, "alias", "merge keys (<<) are not allowed",
                             "write the keys out in full")
                continue
            key = key_node.value
            key_path = (*path, key)
            if key in result:
                self._refuse(key_node, "duplicate-key",
                             f"key '{key}' appears twice in the same mapping "
                             f"(first on line {key_positions[key_path][0]})",
                             "remove one of them or merge their contents")
                continue
            mark = key_node.start_mark
            key_positions[key_path] = (mark.line + 1, mark.column + 1)
            result[key] = self.value(value_node, key_path, key_node)
        return result


def load_text(path: str, text: str) -> Source:
    """Parse ``text``; syntax errors become problems on the returned source."""
    source = Source(path)
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as err:
        source.problems.append(_syntax_problem(path, err))
        return source
    finally:
        loader.dispose()
    if node is None:
        source.problems.append(Problem(path, 1, 1, "empty-file", "the file holds no data",
                                       "fill it in or delete it"))
        return source
    source.data = _Composer(source, "*" in text).value(node, ())
    source.may_hide = "\\" in text or bool(invisible_characters(text))
    return source


def load_bytes(path: str, blob: bytes) -> Source:
    text, problem = decode(path, blob)
    if problem is not None:
        return Source(path, problems=[problem])
    return load_text(path, text)
