"""Read goal files out of git history through git's own command line.

Every call goes through :func:`_git`; failures (no git, not a repository, an
unknown revision) become :class:`~malpl.repository.MalplError` with a hint.
Blobs are read by their id, so a file that did not change between two commits
is read and parsed once (see :class:`Blobs`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

import msgspec

from malpl.errors import MalplError, UsageError
from malpl.i18n import _
from malpl.layout import CONFIG_NAME, GOALS_DIR, YAML_SUFFIXES
from malpl.text import visible_name

WORKTREE = ""  # the revision name for "the files on disk"
LINK_MODE = "120000"  # git's mode for a symbolic link
MISSING = "0" * 40  # git's blob id for "no file on this side" (64 zeros with SHA-256)


class BadRevision(UsageError):
    """A revision that must not reach git."""


class NoGit(MalplError):
    """git is not installed: no history to read (told apart by type, not by its words,
    which are in the language in use)."""


class NotARepository(MalplError):
    """The folder is in no git repository."""


def _no_git(why: str) -> NoGit:
    return NoGit(_("git is not installed"), why)


def _environment() -> dict[str, str]:
    """git's own words in English whatever the person's locale, so that malpl can tell its
    errors apart (and say them in the person's language itself)."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "LC_ALL"}  # it would win
    if "LC_ALL" in os.environ and "LC_CTYPE" not in env:
        env["LC_CTYPE"] = os.environ["LC_ALL"]  # keep the character set it gave
    return {**env, "LC_MESSAGES": "C", "LANGUAGE": "C"}


def _run(root: Path, args: list[str], stdin: bytes | None = None
         ) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True,
                              check=False, env=_environment())
    except FileNotFoundError as err:
        raise _no_git(_("install git to compare revisions")) from err


def _failure(root: Path, args: list[str], stderr: bytes) -> MalplError:
    """What went wrong, in git's last words."""
    message = stderr.decode("utf-8", "replace").strip().splitlines()
    text = message[-1] if message else _("git {command} failed").format(command=" ".join(args))
    if "not a git repository" in text:
        return NotARepository(_("{folder} is not in a git repository").format(folder=root),
                              _("run malpl inside the git repository that holds goals/ (the "
                                "folder made with 'git init' or 'git clone')"))
    return MalplError(_("git: {message}").format(message=text.removeprefix("fatal: ")),
                      _("check the revision name (a branch, a tag, a commit, HEAD~1)"))


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    proc = _run(root, list(args), stdin)
    if proc.returncode != 0:
        raise _failure(root, list(args), proc.stderr)
    return proc.stdout


def prefix(root: Path) -> str:
    """Where the goals repository sits inside the git repository ('' at the top)."""
    return _git(root, "rev-parse", "--show-prefix").decode().strip()


class Head(NamedTuple):
    """What a walk back from HEAD needs first: :func:`prefix`, HEAD's commit (None when
    nothing is committed yet) and whether the clone is shallow."""

    prefix: str
    commit: str | None
    shallow: bool


def head(root: Path) -> Head:
    """:class:`Head`, from one git process instead of three. Without a commit git still
    prints the first two lines, and fails only the last question."""
    args = ["rev-parse", "--show-prefix", "--is-shallow-repository",
            "--verify", "--quiet", "HEAD^{commit}"]
    proc = _run(root, args)
    # Read from the end: the prefix is a folder's name, which may hold a newline.
    lines = proc.stdout.decode("utf-8", "surrogateescape").removesuffix("\n").split("\n")
    commit = lines.pop() if proc.returncode == 0 and len(lines) > 2 else None
    if len(lines) < 2:  # not a repository: git answered nothing
        raise _failure(root, args, proc.stderr)
    shallow = lines.pop() == "true"
    return Head("\n".join(lines), commit, shallow)


def _pathspecs(base: str) -> tuple[str, str]:
    """goals/ and malpl.yaml, named from the top of the git repository whatever folder git
    runs in (``:(top)``): the goals repository may be a folder inside a larger one."""
    return f":(top){base}{GOALS_DIR}", f":(top){base}{CONFIG_NAME}"


def unchanged(root: Path, base: str) -> bool:
    """Whether the goal files and malpl.yaml on disk are exactly those of HEAD: nothing
    changed, added, untracked or ignored (one ``git status``, which writes nothing).
    ``base`` is :func:`prefix`."""
    return not _git(root, "--no-optional-locks", "status", "--porcelain", "-z",
                    "--untracked-files=all", "--ignored", "--", *_pathspecs(base))


def blob_id(data: bytes, like: str) -> str:
    """The id git gives ``data`` as a file, in the hash of the id ``like`` (SHA-1, or
    SHA-256 in a repository made with it)."""
    import hashlib

    kind = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return kind(b"blob %d\0" % len(data) + data).hexdigest()


def check_revision(rev: str) -> None:
    """Refuse a name git would read as an option (``--output=…``)."""
    if rev.startswith("-"):
        raise BadRevision(_("'{revision}' is not a revision name").format(
                          revision=visible_name(rev)),
                          _("a revision is a branch, a tag, a commit or HEAD~1, never an option"))


def resolve(root: Path, rev: str) -> str:
    """The commit ``rev`` names; a name git does not know is the person's mistake, said so."""
    check_revision(rev)
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except (NoGit, NotARepository):
        raise
    except MalplError as err:
        raise MalplError(_("'{revision}' is not a revision of this repository").format(
                             revision=visible_name(rev)),
                         _("name a branch, a tag, a commit or HEAD~1 ('git log' lists the "
                           "commits, the saved versions)")) from err


def merge_base(root: Path, a: str, b: str) -> str:
    """The commit ``A...B`` compares from, as git does."""
    return _git(root, "merge-base", resolve(root, a), resolve(root, b)).decode().strip()


def shallow_commits(root: Path, shallow: bool | None = None) -> set[str]:
    """Commits whose parents this clone does not have (empty unless shallow); ``shallow``:
    whether it is, when the caller knows (:func:`head`)."""
    if shallow is None:
        shallow = _git(root, "rev-parse", "--is-shallow-repository").decode().strip() == "true"
    if not shallow:
        return set()
    path = Path(_git(root, "rev-parse", "--git-path", "shallow").decode().strip())
    path = path if path.is_absolute() else root / path
    try:
        return set(path.read_text(encoding="ascii").split())
    except OSError:
        return set()


class TreeEntry(NamedTuple):
    """One file of a revision as ``git ls-tree`` lists it."""

    mode: str
    blob: str
    path: str  # from the top of the git repository


def listing(root: Path, commit: str, paths: list[str]) -> list[TreeEntry]:
    """The files (blobs, links included) under ``paths`` at ``commit``."""
    out = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    entries = []
    for line in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if path and len(fields) == 3 and fields[1] == "blob":
            entries.append(TreeEntry(fields[0], fields[2], path))
    return entries


class Blobs:
    """One ``git cat-file --batch`` process for many reads, not one process per file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Blobs:
        return self

    def _start(self) -> subprocess.Popen[bytes]:
        """git, at the first read: a walk that finds what it looks for in files it already
        has reads none."""
        try:
            self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, env=_environment())
        except FileNotFoundError as err:
            raise _no_git(_("install git to compare revisions")) from err
        return self.proc

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc.wait()

    def read(self, blob: str) -> bytes:
        proc = self.proc or self._start()
        assert proc.stdin is not None
        stdin: IO[bytes] = proc.stdin
        stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]
        stdin.write(f"{blob}\n".encode())
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise MalplError(_("git: cannot read object {blob}").format(blob=blob),
                             _("run 'git fsck' in the repository to see what is damaged"))
        content = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after each object
        return content


class FileChange(msgspec.Struct):
    """One file a commit changed: blob ids and modes on each side (MISSING if absent)."""

    path: str  # relative to the goals repository
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str


class Commit(msgspec.Struct):
    sha: str
    parent: str | None
    author: str
    date: str
    subject: str
    files: list[FileChange] = msgspec.field(default_factory=list)


def commits(root: Path) -> list[Commit]:
    """Commits that touched the goal files or the configuration, newest first, with their
    author, date (YYYY-MM-DD) and subject.

    Each carries the files it changed against its first parent (``--raw``), so
    history never has to list or parse the files a commit left alone.
    """
    base = prefix(root)
    found = list(_log(root, base, ["--topo-order", "--date=short", "--", *_pathspecs(base)],
                      people=True))
    for commit in found:
        commit.files = [f for f in commit.files
                        if f.path == CONFIG_NAME or Path(f.path).suffix in YAML_SUFFIXES]
    return found


def first_parent_history(root: Path, rev: str, base: str | None = None, *,
                         resolved: bool = False) -> Iterator[Commit]:
    """Commits that touched goals/ on the first-parent line back from ``rev``, newest first.

    Each carries its committer date (ISO 8601) and the goal files it changed against
    its first parent (``.yaml`` and ``.yml``: a README in goals/ is not one). The log
    is read as git writes it, so a caller that stops early never waits for, or holds,
    the rest of a long history.
    ``base``: :func:`prefix`, when the caller knows it; ``resolved``: ``rev`` is
    already a commit id (:func:`resolve`, :func:`head`).
    """
    base = prefix(root) if base is None else base
    commit = rev if resolved else resolve(root, rev)
    for found in _log(root, base, ["--first-parent", "--date=iso-strict", commit, "--",
                                   _pathspecs(base)[0]], people=False):
        found.files = [f for f in found.files if Path(f.path).suffix in YAML_SUFFIXES]
        yield found


def _log(root: Path, base: str, selection: list[str], *, people: bool) -> Iterator[Commit]:
    """``git log -z --raw`` over ``selection``, parsed as it streams.

    Every field is NUL-terminated and read by its position, never by what it
    contains: a subject or an author name may hold any character but NUL (which
    git does not allow), so no text a person wrote can end a record, start one or
    pass for a changed file. ``people``: the author and subject too (with the author
    date), else the committer date alone.
    """
    fields = "%x00%ad%x00%an%x00%s" if people else "%x00%cd"
    try:
        proc = subprocess.Popen(
            ["git", "log", "-z", "--raw", "--no-abbrev", "--no-renames",
             "--diff-merges=first-parent", f"--format=%x1e%H %P{fields}", *selection],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment())
    except FileNotFoundError as err:
        raise _no_git(_("install git to read the history")) from err
    assert proc.stdout is not None
    tokens = (t.decode("utf-8", "surrogateescape") for t in _tokens(proc.stdout))
    try:
        current: Commit | None = None
        for token in tokens:
            text = token.lstrip("\n")
            if text.startswith(":") and current is not None:  # a changed file; its path next
                items, path = text[1:].split(), next(tokens, "")
                if path.startswith(base) and len(items) >= 4:
                    old_mode, new_mode, *blobs = items[:4]
                    current.files.append(FileChange(path[len(base):], old_mode, new_mode,
                                                    *(_blob(b) for b in blobs)))
            elif text.startswith("\x1e"):
                if current is not None:
                    yield current
                sha, *parents = text[1:].split()
                date, author, subject = (next(tokens, "") for _ in range(3)) if people else (
                    next(tokens, ""), "", "")
                current = Commit(sha, parents[0] if parents else None, author, date, subject)
        if current is not None:
            yield current
        if proc.wait() != 0:
            raise MalplError(_("git: cannot read the history"),
                             _("run 'git log' in the repository to see what is wrong"))
    finally:  # the caller may stop early: end git's walk, not only our reading
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def _blob(blob: str) -> str:
    """A side's blob id, :data:`MISSING` for no file, whichever hash the repository uses."""
    return MISSING if not blob.strip("0") else blob


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-separated pieces of ``stream``, read in blocks."""
    pending = b""
    while block := stream.read1(1 << 16):  # type: ignore[attr-defined]
        *done, pending = (pending + block).split(b"\0")
        yield from done
    if pending:
        yield pending



def grep(root: Path, commit: str, patterns: list[str], paths: list[str], how: list[str]
         ) -> set[str] | None:
    """The files under ``paths`` (from the goals repository) at ``commit`` in which any of
    ``patterns`` is found on a line, as ``how`` says (``-P``, ``-F``, ``-w``): one ``git
    grep``, which reads the blobs in C. None when this git cannot (``-P`` needs a git
    built with PCRE)."""
    base = prefix(root)
    args = ["grep", "-z", "-l", "--full-name", "--no-color", *how,
            *(a for p in patterns for a in ("-e", p)), commit, "--",
            *(f":(top){base}{p}" for p in paths)]
    proc = _run(root, args)
    if proc.returncode == 1:  # nothing found
        return set()
    if proc.returncode != 0:
        if b"Perl" in proc.stderr or b"PCRE" in proc.stderr:
            return None
        raise _failure(root, args, proc.stderr)
    found = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {name.partition(":")[2][len(base):] for name in found if name}


def git_path(root: Path, name: str) -> Path:
    """Where git keeps ``name`` in its own folder (``.git/NAME``): never committed."""
    path = Path(_git(root, "rev-parse", "--git-path", name).decode("utf-8", "surrogateescape")
                .removesuffix("\n"))
    return path if path.is_absolute() else root / path
