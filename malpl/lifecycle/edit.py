"""Add entries to files people wrote without changing a byte of what they wrote.

A command never re-serialises a file. ruamel.yaml's round-trip parser finds
where a mapping sits (line and column of every key), ruamel.yaml renders the
new entry, and the entry's lines are spliced into the original text. So
comments, key order, quoting, blank lines and block scalars stay as they were
*by construction*; :meth:`FileEdit.verify` then re-reads the result with the
loader ``check`` uses and refuses it unless its data is the old data plus
exactly the new entry. Lines are counted as YAML counts them, and added lines
end as the file's own lines do (LF, CRLF or CR).

All edits of a command are planned first (:class:`Plan`); only a plan that
was built without an error is written, each file atomically, and a file that
changed on disk since it was read is never overwritten. A goal file that is a
link is edited where it leads (the link stays), and only inside the repository;
a read-only file is refused, never made writable.
"""

from __future__ import annotations

import difflib
import io
import itertools
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import CollectionNode, Node, ScalarNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from malpl import files
from malpl.i18n import N_, _
from malpl.repository import GOALS_DIR, MalplError

Key = str | int
Path_ = tuple[Key, ...]


class EditError(MalplError):
    """A file malpl will not edit; nothing has been written."""


BY_HAND = N_("add the entry by hand; nothing was changed")
ONE_KEY_PER_LINE = N_("write it one key per line, or add the entry by hand")
AGAIN = N_("run the command again")


# Where ruamel.yaml (and an editor) ends a line: its line numbers count these alone.
# str.splitlines also splits at a form feed, U+2028 and others, and its lines would not
# be the ones ruamel.yaml numbers.
_BREAK = re.compile(r"\r\n|[\r\n]")
# Line breaks to YAML 1.1 (check's parser), not to ruamel.yaml's YAML 1.2 or most editors.
_OTHER_BREAKS = {"\x85": "U+0085 (NEXT LINE)", "\u2028": "U+2028 (LINE SEPARATOR)",
                 "\u2029": "U+2029 (PARAGRAPH SEPARATOR)"}
_KEEP_CHOMPING = re.compile(r"[:-][ \t]+[|>][1-9]?\+")


def split_lines(text: str) -> list[str]:
    """``text``'s lines, each with its end, as ruamel.yaml numbers them."""
    lines, start = [], 0
    for end in _BREAK.finditer(text):
        lines.append(text[start:end.end()])
        start = end.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _round_trip() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    return yaml


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
    #: The file itself: where ``path`` leads when it is a link.
    real: Path = field(default_factory=Path)
    #: Lines of the text with each tab a space: where things are, for a parser that takes
    #: no tab where ``check``'s does ('key:<tab>value'). Same lines, same columns.
    shape: list[str] = field(default_factory=list)
    #: Lines that continue a quoted or plain value or a [list] from the line above: never
    #: where a mapping ends, whatever their indentation.
    inside: set[int] = field(default_factory=set)
    #: The parse tree of ``shape``: where each value starts and ends, to replace one.
    tree: Node | None = None
    #: Values replaced: (start, end) characters of the old value, its new text, path, key, value.
    replaced: list[tuple[int, int, str, Path_, Key, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, name: str, real: Path | None = None) -> FileEdit:
        raw = (real or path).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise EditError(_("{name} is not UTF-8").format(name=name),
                            _("save it as UTF-8 and try again")) from err
        shape = text.replace("\t", " ")
        edit = cls(path, name, text, real=real or path, shape=split_lines(shape))
        try:
            edit.doc = _round_trip().load(shape)
            edit.tree = _round_trip().compose(shape)
            edit.inside = _continued_lines(edit.tree)
        except YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            why = _other_break(edit.lines)
            if why is None:
                name += f":{mark.line + 1}" if mark else ""
                why = f" ({err})".splitlines()[0]
            raise EditError(_("{name}: malpl cannot edit this file{why}").format(name=name,
                                                                                  why=why),
                            _(BY_HAND)) from err
        return edit

    @property
    def newline(self) -> str:
        """The file's own line end (its first): LF, CRLF or CR."""
        first = _BREAK.search(self.original)
        return first.group() if first else "\n"

    def newline_at(self, at: int) -> str:
        """The line end of lines added at line ``at``: the one above theirs (a file may mix
        them), else the file's own."""
        above = _BREAK.search(self.lines[at - 1]) if at else None
        return above.group() if above else self.newline

    @property
    def lines(self) -> list[str]:
        return split_lines(self.original)

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
            raise EditError(_("{name}: '{key}' is not a mapping").format(
                name=self.name, key=".".join(map(str, path))), _(ONE_KEY_PER_LINE))
        line_no = mapping.lc.line + 1
        if mapping.fa.flow_style() or not mapping:
            raise EditError(
                _("{where}: this mapping is written on one line ({{…}}); malpl only adds to "
                  "mappings written one key per line").format(where=f"{self.name}:{line_no}"),
                _(ONE_KEY_PER_LINE))
        if key in mapping:
            raise EditError(_("{where}: '{key}' is there already").format(
                where=f"{self.name}:{line_no}", key=key))
        indent = mapping.lc.col
        if before is not None:
            at = self._back_over_space(mapping.lc.key(before)[0], indent)
        else:
            at = self._back_over_space(self._end_of(mapping, indent), indent)
        self.inserts.append((at, render(key, value, indent, self.newline_at(at)), path, key,
                             value))

    def set(self, path: Path_, key: Key, value: Any) -> None:
        """``key: value`` in the mapping at ``path``: the old value's characters replaced
        (the key, a comment after the value and every other line stay), or the entry added."""
        mapping = self.node(path)
        if not isinstance(mapping, CommentedMap) or key not in mapping:
            self.add(path, key, value)
            return
        key_node, old = self._nodes(path, key)
        empty = old.start_mark.index == old.end_mark.index  # 'key:' with nothing after it
        if empty:
            start = end = key_node.end_mark.index + 1  # after the colon
        else:
            start, end = old.start_mark.index, old.end_mark.index
        if isinstance(old, ScalarNode) and old.style in ("|", ">"):
            end = start + len(self.shape_text[start:end].rstrip(" \r\n"))
        elif not isinstance(old, ScalarNode):
            raise EditError(_("{name}: '{key}' is not a single value").format(
                name=self.name, key=".".join(map(str, (*path, key)))), _(BY_HAND))
        lines = render(key, value, key_node.start_mark.column, self.newline)
        new = "".join(lines).removesuffix(self.newline)
        new = new[new.index(":", key_node.start_mark.column) + 1:]  # the value, after "key:"
        self.replaced.append((start, end, new if empty else new.removeprefix(" "), path, key,
                              value))

    @property
    def shape_text(self) -> str:
        return "".join(self.shape)

    def _nodes(self, path: Path_, key: Key) -> tuple[ScalarNode, Node]:
        """The key's node and its value's node in the parse tree."""
        node: Any = self.tree
        for step in path:
            node = (node.value[step] if isinstance(step, int) else
                    next(v for k, v in node.value if k.value == step))
        return next((k, v) for k, v in node.value if k.value == key)

    @property
    def changed(self) -> bool:
        return bool(self.inserts or self.replaced)

    def append(self, path: Path_, value: Any) -> None:
        """Add ``value`` as the last item of the block sequence at ``path``."""
        seq = self.node(path)
        if not isinstance(seq, CommentedSeq) or seq.fa.flow_style() or not seq:
            raise EditError(_("{name}: '{key}' is not a list written one item per line").format(
                name=self.name, key=".".join(map(str, path))), _("add the entry by hand"))
        first = self.shape[seq.lc.line]
        dash = len(first) - len(first.lstrip(" "))
        at = self._back_over_space(self._end_of(seq, dash, item=True), dash)
        lines = render("x", [value], 0, self.newline_at(at))[1:]
        pad = " " * dash
        lines = [pad + line[2:] if line.strip() else line for line in lines]
        self.inserts.append((at, lines, path, None, value))

    def _end_of(self, node: Any, indent: int, *, item: bool = False) -> int:
        """The line after a mapping's last entry (a list's last item): the first later line
        written further left (a block scalar's lines are always further right), or for a
        list, at its dashes' column but not a dash."""
        lines = self.shape
        for number in range(node.lc.line + 1, len(lines)):
            if number in self.inside:
                continue
            stripped = lines[number].lstrip(" ")
            if not stripped.strip() or stripped.startswith("#"):
                continue
            column = len(lines[number]) - len(stripped)
            if column < indent or (item and column == indent and not stripped.startswith("-")):
                return number
        return len(lines)

    def _back_over_space(self, number: int, indent: int) -> int:
        """Blank lines, and comments no further right than the keys, belong to what follows."""
        lines = self.shape
        while number > 0 and number - 1 not in self.inside:
            line = lines[number - 1]
            stripped = line.lstrip(" ")
            if stripped.strip() and not (stripped.startswith("#")
                                         and len(line) - len(stripped) <= indent):
                break
            number -= 1
        return number

    def text(self) -> str:
        lines = self.lines
        at_end = any(at == len(lines) for at, *_rest in self.inserts)
        if at_end and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += self.newline  # the only change to an existing line: its end
        starts = list(itertools.accumulate(map(len, lines), initial=0))
        pieces = [(starts[at], starts[at], "".join(new)) for at, new, *_rest in self.inserts]
        pieces += [(start, end, new) for start, end, new, *_rest in self.replaced]
        text = "".join(lines)
        for start, end, new in sorted(pieces, key=lambda p: p[0], reverse=True):
            text = text[:start] + new + text[end:]
        return text

    def verify(self) -> str:
        """The new text, after checking that its data is the old data plus the new entries."""
        new = self.text()
        expected = _checked_data(self.name, self.original)
        for _at, _lines, path, key, value in sorted(self.inserts, key=lambda i: i[0]):
            node = expected
            for step in path:
                node = node[step]
            plain = _checked_data(self.name, _dump_plain(value))
            if key is None:
                node.append(plain)
            else:
                node[key] = plain
        for *_span, path, key, value in self.replaced:
            node = expected
            for step in path:
                node = node[step]
            node[key] = _checked_data(self.name, _dump_plain({key: value}))[key]
        if _checked_data(self.name, new) != expected:
            keep = _KEEP_CHOMPING.search(self.original)
            why = _other_break(self.lines) or (
                " " + _("(a block scalar that keeps its trailing lines, '|+', at its end?)")
                if keep else "")
            raise EditError(_("{name}: malpl cannot add to this file without changing what is "
                              "there{why}").format(name=self.name, why=why), _(BY_HAND))
        return new


def _other_break(lines: list[str]) -> str | None:
    """Where the file holds a character that ends a line to ``check`` (YAML 1.1) but not
    to the editor's parser (YAML 1.2) nor to most editors: files read differently."""
    for number, line in enumerate(lines, 1):
        for char, name in _OTHER_BREAKS.items():
            if char in line:
                return ": " + _("line {number} holds {char}, a line break to YAML 1.1 (malpl "
                                "check) but not to YAML 1.2 or most editors; write a line "
                                "break or a space in its place").format(number=number,
                                                                        char=name)
    return None


def _continued_lines(root: Node | None) -> set[int]:
    """The lines a flow value (quoted, plain, [..] or {..}) goes on to after its first.
    A block scalar's lines are not among them: they are further right than its key."""
    lines: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, CollectionNode):
            stack.extend(item for pair in node.value for item in
                         (pair if isinstance(pair, tuple) else (pair,)))
        flow = (node.flow_style if isinstance(node, CollectionNode) else
                isinstance(node, ScalarNode) and node.style not in ("|", ">"))
        if flow:
            last = node.end_mark.line - (node.end_mark.column == 0)
            lines.update(range(node.start_mark.line + 1, last + 1))
    return lines


def _checked_data(name: str, text: str) -> Any:
    """The data of ``text`` as ``check`` reads it (which takes what a person's file may
    hold and ruamel.yaml does not, such as a tab after 'key:')."""
    from malpl.yamlsource import load_text

    source = load_text(name, text)
    errors = [p for p in source.problems if p.is_error]
    if errors:
        raise EditError(_("{name}: the edit would not be valid YAML (line {line}: "
                          "{reason})").format(name=name, line=errors[0].line,
                                              reason=errors[0].message), _(BY_HAND))
    return source.data


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
    """Every change a command makes to the repository at ``root``, built completely
    before anything is written."""

    root: Path
    edits: dict[Path, FileEdit] = field(default_factory=dict)
    created: list[NewFile] = field(default_factory=list)

    def file(self, path: Path, name: str) -> FileEdit:
        if path not in self.edits:
            real = self._inside(path, name)
            _writable(real, name)
            self.edits[path] = FileEdit.read(path, name, real)
        return self.edits[path]

    def create(self, path: Path, name: str, content: str) -> None:
        if path.exists() or path.is_symlink() or any(f.path == path for f in self.created):
            raise EditError(_("{name} exists already").format(name=name),
                            _("malpl never writes over a file; choose another name or remove "
                              "it first"))
        self._inside(path, name)
        self.created.append(NewFile(path, name, content))

    def _inside(self, path: Path, name: str) -> Path:
        """Where ``path`` leads through any link: refused unless it is in the repository."""
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(self.root)):
            raise EditError(_("{name} leads outside the repository (through a link); malpl "
                              "does not write there").format(name=name),
                            _("put the file itself in the repository in place of the link; "
                              "nothing was changed"))
        return real

    def changes(self) -> Iterator[tuple[str, Path, str, str]]:
        """(name, path, old text, new text) for each file, in name order."""
        rows = [(e.name, e.path, e.original, e.verify()) for e in self.edits.values() if e.changed]
        rows += [(f.name, f.path, "", f.content) for f in self.created]
        return iter(sorted(rows, key=lambda r: r[0]))

    @property
    def empty(self) -> bool:
        return not self.created and not any(e.changed for e in self.edits.values())

    def diff(self) -> str:
        return "".join(diff_text(name, old, new) for name, _path, old, new in self.changes())

    def apply(self) -> list[str]:
        """Write every file atomically; the names written. A file that changed since it was
        read stops the whole plan before anything is replaced."""
        changes = list(self.changes())  # verifies every edit first
        staged: list[tuple[Path, Path, str, bool]] = []  # file, its new text, name, created
        try:
            for name, path, old, new in changes:
                edit = self.edits.get(path)
                if edit is not None:
                    target, mode = edit.real, _writable(edit.real, name)
                    if self._inside(path, name) != target or target.read_bytes() != old.encode():
                        raise EditError(_("{name} changed while malpl was working on it")
                                        .format(name=name), _(AGAIN))
                else:
                    target, mode = self._inside(path, name), None
                    target.parent.mkdir(parents=True, exist_ok=True)
                staged.append((target, files.stage(target, new.encode(), mode=mode), name,
                               edit is None))
            for target, temp, name, created in staged:
                if created == os.path.lexists(target):
                    raise EditError((_("{name} appeared while malpl was working") if created
                                     else _("{name} disappeared while malpl was working"))
                                    .format(name=name), _(AGAIN))
                os.replace(temp, target)
        finally:
            for _target, temp, _name, _created in staged:
                temp.unlink(missing_ok=True)
        return [change[0] for change in changes]

    def tidy(self) -> list[Path]:
        """Remove the temporary files that runs killed half-way left among the goal files
        (``git add -A`` would commit them where no .gitignore line keeps them out)."""
        root = Path(os.path.realpath(self.root))
        goals = Path(os.path.realpath(root / GOALS_DIR))
        if not goals.is_relative_to(root) or not goals.is_dir():
            return []
        return files.remove_stale(goals, time.time())


def _writable(real: Path, name: str) -> int:
    """The permissions of a file malpl may replace; a read-only one is refused, since
    replacing it would undo what its owner meant (and give it a new mode)."""
    try:
        info = real.stat()
    except OSError as err:
        raise EditError(_("{name} cannot be read: {reason}").format(name=name,
                                                                    reason=err.strerror),
                        _(AGAIN)) from err
    if not stat.S_ISREG(info.st_mode):
        raise EditError(_("{name} is not a regular file").format(name=name),
                        _("goal files are plain text files"))
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise EditError(_("{name} is read-only; malpl does not change a file protected against "
                          "writing").format(name=name),
                        _("make it writable (chmod u+w {name}) if it should change, and run the "
                          "command again; nothing was changed").format(name=name))
    return info.st_mode & 0o777
