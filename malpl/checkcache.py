"""What ``malpl check`` learnt of each goal file, kept so that the next check parses only
the files that changed.

Parsing YAML is most of what a check costs, and a commit changes a few files of
thousands. So each goal file's result is kept under its git blob id (the hash of its
bytes, as git computes it) and its path: the problems loading it and the checks of one
goal at a time found, and of its goal only what the checks across files read
(:class:`Kept`). Those checks (:data:`malpl.checks.ACROSS_FILES`) still run over every
file each time; they are cheap.

The results hold within a context: malpl's version, the language of the messages,
``malpl.yaml``'s blob and the ``data/kolada/`` blobs, since they change what a goal file
means (malpl's version is known by its own files, so that an edited module counts as
another version). They live in git's own folder (``git rev-parse --git-path
malpl/check``): never committed, safe to delete, and absent outside a git repository or
with ``MALPL_NO_CACHE=1``. A file of it that is unreadable, cut short, damaged or written by
another version is ignored and written again (each carries a checksum), so the cache
never changes a result; each is replaced whole (:func:`malpl.files.replace`), so
checks running at the same time do not break it.

A cold check holds one file's parsed data at a time: a goal is kept as :class:`Kept`,
so memory grows with the ids, not with the comments.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import msgspec

from malpl.i18n import language
from malpl.kolada import store
from malpl.model import Goal, Measure, Target
from malpl.problems import Problem
from malpl.repository import Repository, assign_body, finish_repository, load_file, start_repository
from malpl.sources import WorkTree, read_bytes, relative
from malpl.yamlsource import Path_, Source, load_bytes

#: What a check of one goal at a time finds in a repository of that goal alone.
Examine = Callable[[Repository], list[Problem]]

FORMAT = 1  # of the stored files: another one is not read
SHARDS = 16  # files, so that a change rewrites a sixteenth of the cache
_DIGEST = 32  # bytes of blake2b over what follows it
OFF = "MALPL_NO_CACHE"


class Kept(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """Of a goal, what the checks across files read: ids, level, body, parents, order, and
    where (value line, column, key line, column) each of :func:`spots` is written."""

    id: str
    level: str
    body: str | None
    parent: str | list[str] | None
    order: int | None
    targets: list[str]
    measures: list[str]
    places: list[tuple[int, int, int, int]]

    @classmethod
    def of(cls, goal: Goal) -> Kept:
        source = goal.source
        kept = cls(goal.id, goal.level, goal.body, goal.parent, goal.order,
                   [t.id for t in goal.targets], [m.id for m in goal.measures], [])
        kept.places = [(*source.where(path), *source.where(path, key=True))
                       for path in spots(kept)]
        return kept

    def goal(self, path: str) -> Goal:
        """A goal with only these fields (texts left empty), named as the file ``path``."""
        goal = Goal(id=self.id, title="", level=self.level, body=self.body, parent=self.parent,
                    order=self.order, targets=[Target(id=i, text="") for i in self.targets],
                    measures=[Measure(id=i, name="") for i in self.measures])
        goal._source = Pinned(path, places=dict(zip(spots(self), self.places, strict=True)))
        return goal


def spots(kept: Kept) -> list[Path_]:
    """The values of a goal file that the checks across files name in a problem."""
    parents: list[Path_] = ([("parent", i) for i in range(len(kept.parent))]
                            if isinstance(kept.parent, list) else [])
    return [("id",), ("parent",), *parents,
            *(("targets", i, "id") for i in range(len(kept.targets))),
            *(("measures", i, "id") for i in range(len(kept.measures)))]


class Pinned(Source):
    """A source that knows where only some values are written (:func:`spots`)."""

    places: dict[Path_, tuple[int, int, int, int]] = msgspec.field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        line, column, key_line, key_column = self.places[path]
        return (key_line, key_column) if key else (line, column)


class Entry(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """One goal file's result: what loading said, what the checks of it alone found, its
    goal as :class:`Kept` (``partial``: with what did not fit left out), and its id as
    written when it did not load."""

    loaded: list[Problem]
    found: list[Problem]
    goal: Kept | None = None
    partial: bool = False
    unloaded: str | None = None


class Shard(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    format: int
    context: str
    entries: dict[str, bytes]


_ENTRY = msgspec.msgpack.Decoder(Entry)
_SHARD = msgspec.msgpack.Decoder(Shard)
_ENCODER = msgspec.msgpack.Encoder()
#: What a stored file that is not what it should be raises while decoded.
_DAMAGED = (msgspec.MsgspecError, ValueError, TypeError, AssertionError, RecursionError)


class Shelf:
    """The stored results of one repository in one context, read a shard at a time; the
    shards whose entries changed are written back by :meth:`save`, holding only what this
    check used."""

    def __init__(self, folder: Path, context: str) -> None:
        self.folder = folder
        self.context = context
        self.started = time.time()
        self.stored: dict[int, dict[str, bytes]] = {}
        self.used: dict[int, dict[str, bytes]] = {}

    @classmethod
    def open(cls, root: Path, context: str) -> Shelf | None:
        """The shelf in git's folder; None outside git, or when switched off."""
        if os.environ.get(OFF, "") not in ("", "0"):
            return None
        from malpl import git

        try:
            folder = git.git_path(root, "malpl/check")
        except git.MalplError:  # no git, or not a repository: no cache
            return None
        return cls(folder, context)

    def _shard(self, number: int) -> dict[str, bytes]:
        if number not in self.stored:
            self.stored[number] = self._read(self.folder / f"{number:x}")
        return self.stored[number]

    def _read(self, path: Path) -> dict[str, bytes]:
        try:
            content = path.read_bytes()
        except OSError:
            return {}
        payload = content[_DIGEST:]
        if len(content) < _DIGEST or hashlib.blake2b(payload, digest_size=_DIGEST).digest() \
                != content[:_DIGEST]:
            return {}
        try:
            shard = _SHARD.decode(payload)
        except _DAMAGED:
            return {}
        return shard.entries if (shard.format, shard.context) == (FORMAT, self.context) else {}

    def get(self, key: str) -> Entry | None:
        number = int(key[0], 16)
        stored = self._shard(number).get(key)
        if stored is None:
            return None
        try:
            entry = _ENTRY.decode(stored)
        except _DAMAGED:
            return None
        self.used.setdefault(number, {})[key] = stored
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self.used.setdefault(int(key[0], 16), {})[key] = _ENCODER.encode(entry)

    def save(self) -> None:
        """Write each shard whose entries are not what this check used; a cache that cannot
        be written (a read-only or full disk) is simply not written."""
        from malpl.files import remove_stale, replace

        remove_stale(self.folder, self.started)  # what a killed check left half written
        for number in range(SHARDS):
            used = self.used.get(number, {})
            if used == self._shard(number):
                continue
            payload = _ENCODER.encode(Shard(FORMAT, self.context, used))
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                replace(self.folder / f"{number:x}",
                        hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload)
            except OSError:
                return


def key(name: str, content: bytes) -> str:
    """A file's key: its blob id (whose first digit picks the shard) and its path."""
    from malpl.git import blob_id

    return f"{blob_id(content, '')}:{name}"


@functools.cache
def code() -> str:
    """Which malpl this is: the name, size and time of each of its modules and message
    catalogues, so that another version, or a module edited in place, starts afresh
    (read once: a process runs the modules it imported)."""
    package = Path(__file__).resolve().parent
    found = []
    for folder, _folders, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith((".py", ".mo")):
                info = os.stat(os.path.join(folder, name))
                found.append(f"{os.path.relpath(folder, package)}/{name}:{info.st_size}:"
                             f"{info.st_mtime_ns}")
    return "\n".join(found)


def context(config: bytes | Source | None, pulled: list[tuple[str, bytes | Source]]) -> str:
    """What besides a goal file decides its result."""
    def said(content: bytes | Source | None) -> str:
        if content is None:
            return "absent"
        return "unreadable" if isinstance(content, Source) else key("", content)

    parts = [str(FORMAT), code(), language(), said(config),
             *(f"{name}\0{said(content)}" for name, content in pulled)]
    return hashlib.sha256("\0\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class Checked(NamedTuple):
    """The repository with each goal as :class:`Kept` (for the checks across files and the
    counts), and what the checks of one goal at a time found in it."""

    repo: Repository
    found: list[Problem]


def _source(name: str, content: bytes | Source) -> Source:
    return content if isinstance(content, Source) else load_bytes(name, content)


def examined(repo: Repository, source: Source, examine: Examine) -> Entry:
    """Load one goal file and check it alone, in ``repo`` (the configuration and pulled
    figures)."""
    loaded = load_file(source)
    goal = loaded.goal or loaded.partial
    if goal is not None:
        assign_body(goal, repo.config)
    one = msgspec.structs.replace(
        repo, goals=[loaded.goal] if loaded.goal else [],
        partial=[loaded.partial] if loaded.partial else [], _indexed=(0, -1))
    found = [p for p in examine(one) if p.path == source.path]
    return Entry(list(source.problems), found, Kept.of(goal) if goal is not None else None,
                 loaded.partial is not None, loaded.unloaded)


def load(tree: WorkTree, examine: Examine) -> Checked:
    """The working tree's repository for ``malpl check``: each goal file's result from the
    cache when its bytes are those of a stored one, else loaded and examined (and stored)."""
    root = tree.root
    config_path, paths, listed = tree.listing()
    config = read_bytes(config_path, root) if config_path.is_file() else None
    names = [relative(path, root) for path in paths]
    pulled = [(name, read_bytes(path, root)) for name, path in zip(names, paths, strict=True)
              if store.is_kolada_path(name)]
    repo = start_repository(
        root, None if config is None else _source(relative(config_path, root), config),
        [_source(*p) for p in pulled])
    repo.problems += listed
    shelf = Shelf.open(root, context(config, pulled))
    found = examine(repo)  # the configuration's own problems
    for name, path in zip(names, paths, strict=True):
        if store.is_kolada_path(name):
            continue
        repo.files += 1
        content = read_bytes(path, root)
        stored = None if shelf is None or isinstance(content, Source) else key(name, content)
        entry = shelf.get(stored) if shelf is not None and stored is not None else None
        if entry is None:
            entry = examined(repo, _source(name, content), examine)
            if shelf is not None and stored is not None:
                shelf.put(stored, entry)
        repo.problems += entry.loaded
        found += entry.found
        if entry.goal is not None:
            (repo.partial if entry.partial else repo.goals).append(entry.goal.goal(name))
        if entry.unloaded is not None:
            repo.unloaded.append(entry.unloaded)
    if shelf is not None:
        shelf.save()
    return Checked(finish_repository(repo), found)
