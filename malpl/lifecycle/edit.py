"""Add entries to files people wrote without changing a byte of what they wrote.

A command never re-serialises a file. ruamel.yaml's round-trip parser finds
where a mapping sits (line and column of every key), ruamel.yaml renders the
new entry, and the entry's lines are spliced into the original text. So
comments, key order, quoting, blank lines and block scalars stay as they were
*by construction*; :meth:`FileEdit.verify` then re-reads the result and
refuses it unless its data is the old data plus exactly the new entry.

All edits of a command are planned first (:class:`Plan`); only a plan that
was built without an error is written, each file atomically, and a file that
changed on disk since it was read is never overwritten.
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from malpl import files
from malpl.repository import MalplError

Key = str | int
Path_ = tuple[Key, ...]


class EditError(MalplError):
    """A file malpl will not edit; nothing has been written."""


def _round_trip() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    return yaml


def _plain() -> YAML:
    return YAML(typ="safe", pure=True)


def quoted(text: str) -> DoubleQuotedScalarString:
    """An id, always in quotes ("1.10" must not become the number 1.1)."""
    return DoubleQuotedScalarString(text)


def block(text: str) -> str:
    """A comment as a literal block when it has more than one line, as people write them."""
    return LiteralScalarString(text if text.endswith("\n") else text + "\n") if "\n" in text else text


def render(key: Key, value: Any, indent: int, newline: str) -> list[str]:
    """``key: value`` as block YAML lines at ``indent`` columns, the goal files' layout."""
    yaml = _round_trip()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a line a person will write into
    buffer = io.StringIO()
    yaml.dump(CommentedMap([(key, value)]), buffer)
    pad = " " * indent
    return [(pad + line if line else line) + newline for line in buffer.getvalue().splitlines()]


@dataclass
class FileEdit:
    """One file: its text as read, and the lines to insert (line number → lines)."""

    path: Path
    name: str
    original: str
    doc: Any = None
    inserts: list[tuple[int, list[str], Path_, Key | None, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, name: str) -> FileEdit:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise EditError(f"{name} is not UTF-8", "save it as UTF-8 and try again") from err
        edit = cls(path, name, text)
        try:
            edit.doc = _round_trip().load(text)
        except YAMLError as err:
            raise EditError(f"{name} cannot be read as YAML: {err}".splitlines()[0],
                            "run 'malpl check' and fix the file first") from err
        return edit

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.original else "\n"

    @property
    def lines(self) -> list[str]:
        return self.original.splitlines(keepends=True)

    def node(self, path: Path_) -> Any:
        node = self.doc
        for key in path:
            node = node[key]
        return node

    def add(self, path: Path_, key: Key, value: Any, *, before: Key | None = None) -> None:
        """Add ``key: value`` to the mapping at ``path`` (before the key ``before``, else
        at its end); a missing mapping on the way must be added by the caller first."""
        mapping = self.node(path)
        if not isinstance(mapping, CommentedMap):
            raise EditError(f"{self.name}: '{'.'.join(map(str, path))}' is not a mapping",
                            "write it one key per line, or add the entry by hand")
        line_no = mapping.lc.line + 1
        if mapping.fa.flow_style() or not mapping:
            raise EditError(
                f"{self.name}:{line_no}: this mapping is written on one line ({{…}}); malpl "
                "only adds to mappings written one key per line",
                "write it one key per line, or add the entry by hand")
        if key in mapping:
            raise EditError(f"{self.name}:{line_no}: '{key}' is there already")
        indent = mapping.lc.col
        if before is not None:
            at = self._back_over_space(mapping.lc.key(before)[0], indent)
        else:
            at = self._back_over_space(self._end_of(mapping, indent), indent)
        self.inserts.append((at, render(key, value, indent, self.newline), path, key, value))

    def append(self, path: Path_, value: Any) -> None:
        """Add ``value`` as the last item of the block sequence at ``path``."""
        seq = self.node(path)
        if not isinstance(seq, CommentedSeq) or seq.fa.flow_style() or not seq:
            raise EditError(f"{self.name}: '{'.'.join(map(str, path))}' is not a list written "
                            "one item per line", "add the entry by hand")
        first = self.lines[seq.lc.line]
        dash = len(first) - len(first.lstrip(" "))
        lines = render("x", [value], 0, self.newline)[1:]
        pad = " " * dash
        lines = [pad + line[2:] if line.strip() else line for line in lines]
        at = self._back_over_space(self._end_of(seq, dash, item=True), dash)
        self.inserts.append((at, lines, path, None, value))

    def _end_of(self, node: Any, indent: int, *, item: bool = False) -> int:
        """The line after a mapping's last entry (a list's last item): the first later line
        written further left (a block scalar's lines are always further right), or for a
        list, at its dashes' column but not a dash."""
        lines = self.lines
        for number in range(node.lc.line + 1, len(lines)):
            stripped = lines[number].lstrip(" ")
            if not stripped.strip() or stripped.startswith("#"):
                continue
            column = len(lines[number]) - len(stripped)
            if column < indent or (item and column == indent and not stripped.startswith("-")):
                return number
        return len(lines)

    def _back_over_space(self, number: int, indent: int) -> int:
        """Blank lines, and comments no further right than the keys, belong to what follows."""
        lines = self.lines
        while number > 0:
            line = lines[number - 1]
            stripped = line.lstrip(" ")
            if stripped.strip() and not (stripped.startswith("#")
                                         and len(line) - len(stripped) <= indent):
                break
            number -= 1
        return number

    def text(self) -> str:
        lines = self.lines
        at_end = any(at == len(lines) for at, *_ in self.inserts)
        if at_end and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += self.newline  # the only change to an existing line: its end
        for at, new, *_ in sorted(self.inserts, key=lambda i: i[0], reverse=True):
            lines[at:at] = new
        return "".join(lines)

    def verify(self) -> str:
        """The new text, after checking that its data is the old data plus the new entries."""
        new = self.text()
        try:
            expected = _plain().load(self.original)
            for _, _, path, key, value in sorted(self.inserts, key=lambda i: i[0]):
                node = expected
                for step in path:
                    node = node[step]
                plain = _plain().load(_dump_plain(value))
                if key is None:
                    node.append(plain)
                else:
                    node[key] = plain
            got = _plain().load(new)
        except YAMLError as err:
            raise EditError(f"{self.name}: the edit would not be valid YAML ({err})",
                            "add the entry by hand; nothing was changed") from err
        if got != expected:
            raise EditError(f"{self.name}: malpl cannot add to this file without changing "
                            "what is there (a block scalar that keeps its trailing lines?)",
                            "add the entry by hand; nothing was changed")
        return new


def _dump_plain(value: Any) -> str:
    yaml = _round_trip()
    buffer = io.StringIO()
    yaml.dump(value, buffer)
    return buffer.getvalue()


def diff_text(name: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


@dataclass
class NewFile:
    """A file a command creates; never written over an existing one."""

    path: Path
    name: str
    content: str


@dataclass
class Plan:
    """Every change a command makes, built completely before anything is written."""

    edits: dict[Path, FileEdit] = field(default_factory=dict)
    created: list[NewFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def file(self, path: Path, name: str) -> FileEdit:
        if path not in self.edits:
            self.edits[path] = FileEdit.read(path, name)
        return self.edits[path]

    def create(self, path: Path, name: str, content: str) -> None:
        if path.exists() or path.is_symlink() or any(f.path == path for f in self.created):
            raise EditError(f"{name} exists already", "malpl never writes over a file; "
                            "choose another name or remove it first")
        self.created.append(NewFile(path, name, content))

    def changes(self) -> Iterator[tuple[str, Path, str, str]]:
        """(name, path, old text, new text) for each file, in name order."""
        rows = [(e.name, e.path, e.original, e.verify()) for e in self.edits.values() if e.inserts]
        rows += [(f.name, f.path, "", f.content) for f in self.created]
        return iter(sorted(rows, key=lambda r: r[0]))

    @property
    def empty(self) -> bool:
        return not self.created and not any(e.inserts for e in self.edits.values())

    def diff(self) -> str:
        return "".join(diff_text(name, old, new) for name, _, old, new in self.changes())

    def apply(self) -> list[str]:
        """Write every file atomically; the names written. A file that changed since it was
        read stops the whole plan before anything is replaced."""
        changes = list(self.changes())  # verifies every edit first
        staged: list[tuple[Path, Path | None, str]] = []
        try:
            for name, path, old, new in changes:
                if old and path.read_bytes().decode("utf-8") != old:
                    raise EditError(f"{name} changed while malpl was working on it",
                                    "run the command again")
                path.parent.mkdir(parents=True, exist_ok=True)
                staged.append((path, _stage(path, new), name))
            for path, temp, name in staged:
                if temp is not None:
                    if not _exists_as(path, changes):
                        raise EditError(f"{name} appeared while malpl was working",
                                        "run the command again")
                    os.replace(temp, path)
        finally:
            for _, temp, _ in staged:
                if temp is not None and temp.exists():
                    temp.unlink()
        return [name for name, *_ in changes]


def _exists_as(path: Path, changes: Sequence[tuple[str, Path, str, str]]) -> bool:
    """A new file must still be absent, an edited one still present."""
    old = next(c[2] for c in changes if c[1] == path)
    return path.exists() if old else not path.exists()


def _stage(path: Path, text: str) -> Path:
    """The new text in a temporary file beside ``path``, with the old file's mode."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    return files.stage(path, text.encode("utf-8"), mode=mode)
