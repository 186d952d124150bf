"""The inputs of a goals repository, from the working tree or from a git revision.

Every command reads ``malpl.yaml``, ``goals/`` and ``data/kolada/`` through one of
these two trees, which hand out the same thing: each file's bytes loaded as a
:class:`~malpl.yamlsource.Source` with its positions, named as problems name it.
Nothing here knows what a goal is; :func:`malpl.repository.load` builds one.

Nothing outside the repository is read: a link that leads out of it, or nowhere,
is a problem, never followed; in a revision a link (a blob of mode 120000) is never
followed at all.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from malpl.errors import MalplError
from malpl.i18n import _
from malpl.layout import CONFIG_NAME, GOALS_DIR, KOLADA_DIR, MAX_FILE_BYTES, YAML_SUFFIXES
from malpl.problems import Problem
from malpl.text import visible_name
from malpl.yamlsource import Source, load_bytes

if TYPE_CHECKING:
    from malpl.git import TreeEntry


class Inputs(NamedTuple):
    """What a tree holds: the configuration (None when absent), the goal and Kolada files
    in path order, and the problems of files that could not be listed."""

    config: Source | None
    files: list[Source]
    problems: list[Problem]


def relative(path: Path, root: Path) -> str:
    """``path`` as written from ``root``; a link is named as the link, not its target."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.as_posix()


def _unreadable(name: str, message: str, hint: str) -> Source:
    return Source(name, problems=[Problem(name, 1, 1, "unreadable", message, hint)])


def read_source(path: Path, root: Path) -> Source:
    """Read one file; a FIFO, a device or a huge file is a problem, never a hang."""
    content = read_bytes(path, root)
    return content if isinstance(content, Source) else load_bytes(relative(path, root), content)


def read_bytes(path: Path, root: Path) -> bytes | Source:
    """One file's bytes, or a :class:`Source` holding why they cannot be read."""
    try:
        # Non-blocking, so that opening a FIFO returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        return _unreadable(relative(path, root), _("cannot read the file: {reason}").format(
            reason=err.strerror), _("check that it exists and is readable"))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(relative(path, root),
                               _("this is not a regular file (a folder, pipe or device)"),
                               _("goal files are plain text files: replace it with one, or "
                                 "remove it"))
        try:
            # As much as the file holds (asking for the most it may hold costs a 64 MB
            # buffer per file), and on if it grew meanwhile.
            want = min(info.st_size, MAX_FILE_BYTES) + 1
            blob = handle.read(want)
            if len(blob) == want <= MAX_FILE_BYTES:
                blob += handle.read(MAX_FILE_BYTES + 1 - want)
        except OSError as err:
            return _unreadable(relative(path, root), _("cannot read the file: {reason}").format(
                reason=err.strerror), _("check that it exists and is readable"))
    if len(blob) > MAX_FILE_BYTES:
        return _unreadable(relative(path, root), _("the file is larger than {size} MB").format(
            size=MAX_FILE_BYTES // 2**20),
            _("a goal file holds one goal; split it into one file per goal"))
    return blob


def yaml_files(folder: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """The YAML files under ``folder``, following links that stay inside ``root``.

    A link that leads outside the repository is refused (its target is never
    read), and a link that leads nowhere is reported, so nothing is skipped
    without a word.
    """
    inside = Path(os.path.realpath(root))
    found: list[Path] = []
    problems: list[Problem] = []
    visited: set[str] = set()

    def refuse(path: Path, code: str, message: str, hint: str) -> None:
        problems.append(Problem(relative(path, root), 1, 1, code, message, hint))

    def walk(current: Path) -> None:
        real = os.path.realpath(current)
        if real in visited:  # a link back up the tree
            return
        visited.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as err:
            refuse(current, "unreadable",
                   _("cannot read the folder: {reason}").format(reason=err.strerror),
                   _("check that it exists and is readable"))
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.exists():
                    refuse(path, "unreadable", _("this link leads to nothing"),
                           _("remove the link, or point it at a file in the repository"))
                    continue
                if not target.is_relative_to(inside):
                    refuse(path, "outside-repository",
                           _("this link leads outside the repository; it is not read"),
                           _("copy the file into the repository instead of linking to it"))
                    continue
                if Path(os.path.realpath(folder)).is_relative_to(target):
                    refuse(path, "unreadable", _("this link leads back to a folder that holds "
                                                 "it (a loop); it is not followed"),
                           _("link to a folder of goal files, or remove the link"))
                    continue
            if entry.is_dir():
                walk(path)
            elif path.suffix in YAML_SUFFIXES:
                found.append(path)

    walk(folder)
    return found, problems


class WorkTree:
    """The files on disk under ``root``, with ``extra`` files named on the command line;
    ``only``: read just these goal and Kolada files (paths as :meth:`versions` names them),
    the configuration always."""

    name = ""

    def __init__(self, root: Path, extra: Sequence[Path] = (),
                 only: Collection[str] | None = None) -> None:
        self.root = root
        self.extra = list(extra)
        self.only = only

    def inputs(self) -> Inputs:
        config_path, paths, problems = self.listing()
        root, only = self.root, self.only
        config = read_source(config_path, root) if config_path.is_file() else None
        return Inputs(config, [read_source(p, root) for p in paths
                               if only is None or relative(p, root) in only], problems)

    def versions(self, like: str) -> dict[str, str]:
        """git's id of what each file holds (hashed as ``like`` is), by path, in reading
        order; '' for a file that cannot be read. Links are followed, as reading does."""
        from malpl import git

        config_path, paths, _problems = self.listing()
        found = {}
        for path in [config_path, *paths] if config_path.is_file() else paths:
            content = read_bytes(path, self.root)
            found[relative(path, self.root)] = ("" if isinstance(content, Source)
                                                else git.blob_id(content, like))
        return found

    def listing(self) -> tuple[Path, list[Path], list[Problem]]:
        """malpl.yaml's path (which may not exist), the goal and Kolada files, and the
        problems of listing them."""
        root = self.root
        # malpl.yaml with no goals yet (all removed, or none written) is a valid, empty one
        if not self.extra and not (root / GOALS_DIR).is_dir() and not (root / CONFIG_NAME).is_file():
            raise MalplError(_("there is no {folder}/ folder in {root}").format(
                folder=GOALS_DIR, root=root),
                _("run malpl in the repository that holds goals/, or pass -C DIR"))
        config_path = root / CONFIG_NAME
        paths, problems = [], []
        for folder in (root / GOALS_DIR, root / KOLADA_DIR):
            if folder.is_dir() and not folder.is_symlink():
                found, refused = yaml_files(folder, root)
                paths += found
                problems += refused
            elif folder.is_symlink():
                problems.append(Problem(
                    relative(folder, root), 1, 1, "outside-repository",
                    _("this folder is a link; malpl reads only the repository's own folders"),
                    _("replace the link with the folder itself")))
        if self.extra:  # resolving every path costs a check of thousands a tenth of its time
            known = {p.resolve() for p in paths} | {config_path.resolve()}
            paths += [p for p in self.extra if p.resolve() not in known]
        return config_path, paths, problems


class Revision:
    """The files of a git revision, read by blob id; problems name them ``NAME:path``.
    ``only``: as for :class:`WorkTree`."""

    def __init__(self, root: Path, rev: str, name: str = "",
                 only: Collection[str] | None = None) -> None:
        self.root = root
        self.rev = rev
        self.name = visible_name(name or rev)  # a revision may be 100 000 characters
        self.only = only
        self.commit = ""  # the commit ``rev`` names, once listed
        self._entries: dict[str, TreeEntry] | None = None

    def entries(self) -> dict[str, TreeEntry]:
        """The YAML files of the revision by path from the goals repository, in path order
        (listed once)."""
        if self._entries is None:
            from malpl import git

            base = git.prefix(self.root)
            self.commit = git.resolve(self.root, self.rev)
            listed = git.listing(self.root, self.commit, [
                f"{base}{GOALS_DIR}", f"{base}{CONFIG_NAME}", f"{base}{KOLADA_DIR}"])
            self._entries = {e.path[len(base):]: e for e in sorted(listed, key=lambda e: e.path)
                             if Path(e.path).suffix in YAML_SUFFIXES}
        return self._entries

    def versions(self, like: str = "") -> dict[str, str]:
        """As :meth:`WorkTree.versions`; a link is its mode and blob, equal to no file's id."""
        from malpl import git

        return {path: f"{git.LINK_MODE}:{e.blob}" if e.mode == git.LINK_MODE else e.blob
                for path, e in self.entries().items()}

    def inputs(self) -> Inputs:
        from malpl import git

        config: Source | None = None
        files = []
        with git.Blobs(self.root) as blobs:
            for relative_path, entry in self.entries().items():
                if relative_path != CONFIG_NAME and self.only is not None \
                        and relative_path not in self.only:
                    continue
                where = f"{self.name}:{relative_path}"
                content = blobs.read(entry.blob)
                source = (link_source(where, content) if entry.mode == git.LINK_MODE
                          else load_bytes(where, content))
                if relative_path == CONFIG_NAME:
                    config = source
                else:
                    files.append(source)
        return Inputs(config, files, [])


def link_source(name: str, target: bytes) -> Source:
    """A symbolic link stored in git: named as a problem, never read as a goal file."""
    from malpl.text import visible

    where = visible(target.decode("utf-8", "replace"))
    return Source(name, problems=[Problem(
        name, 1, 1, "unreadable",
        _("is a symbolic link in git (to '{target}'), not a goal file; malpl does not "
          "follow links in history").format(target=where),
        _("commit the goal file itself instead of a link to it"))])


Tree = WorkTree | Revision


def tree(root: Path, rev: str | None = None, name: str = "",
         only: Collection[str] | None = None) -> Tree:
    """The working tree (``rev`` None), or the files as they were at ``rev``; ``only``: as
    for :class:`WorkTree`."""
    return WorkTree(root, only=only) if rev is None else Revision(root, rev, name, only)
