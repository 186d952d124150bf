"""Read goal files out of git history through git's own command line.

Every call goes through :func:`_git`; failures (no git, not a repository, an
unknown revision) become :class:`~malpl.repository.MalplError` with a hint.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from malpl.repository import (
    CONFIG_NAME,
    GOALS_DIR,
    YAML_SUFFIXES,
    MalplError,
    Repository,
    build_repository,
    load_repository,
)
from malpl.yamlsource import Source, load_bytes

WORKTREE = ""  # the revision name for "the files on disk"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError as err:
        raise MalplError("git is not installed", "install git to compare revisions") from err
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        text = message[-1] if message else f"git {' '.join(args)} failed"
        if "not a git repository" in text:
            raise MalplError(f"{root} is not in a git repository",
                             "run malpl inside the git repository that holds goals/")
        raise MalplError(f"git: {text.removeprefix('fatal: ')}",
                         "check the revision name (a branch, a tag, a commit, HEAD~1)")
    return proc.stdout


def prefix(root: Path) -> str:
    """Where the goals repository sits inside the git repository ('' at the top)."""
    return _git(root, "rev-parse", "--show-prefix").decode().strip()


def resolve(root: Path, rev: str) -> str:
    return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()


def load_revision(root: Path, rev: str) -> Repository:
    """The repository as it was at ``rev``; WORKTREE means the files on disk."""
    if rev == WORKTREE:
        prefix(root)  # fail early outside a git repository
        return load_repository(root)
    base = prefix(root)
    commit = resolve(root, rev)
    names = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--",
                 f"{base}{GOALS_DIR}", f"{base}{CONFIG_NAME}").decode().split("\0")
    paths = sorted(n for n in names if n and Path(n).suffix in YAML_SUFFIXES)
    blobs = _cat_files(root, commit, paths)
    config: Source | None = None
    sources = []
    for path, blob in zip(paths, blobs, strict=True):
        relative = path[len(base):]
        source = load_bytes(f"{rev}:{relative}", blob)
        if relative == CONFIG_NAME:
            config = source
        else:
            sources.append(source)
    return build_repository(root, config, sources)


def _cat_files(root: Path, commit: str, paths: list[str]) -> list[bytes]:
    """All blobs in one ``git cat-file --batch`` call, not one process per file."""
    if not paths:
        return []
    request = "".join(f"{commit}:{p}\n" for p in paths).encode()
    out = _git(root, "cat-file", "--batch", stdin=request)
    blobs, pos = [], 0
    for _ in paths:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        blobs.append(out[start:start + size])
        pos = start + size + 1
    return blobs


@dataclass
class Commit:
    sha: str
    parent: str | None
    author: str
    date: str
    subject: str


def commits(root: Path) -> list[Commit]:
    """Commits that touched the goal files or the configuration, newest first."""
    base = prefix(root)
    out = _git(root, "log", "--format=%H%x1f%P%x1f%an%x1f%ad%x1f%s%x1e", "--date=short",
               "--", f"{base}{GOALS_DIR}", f"{base}{CONFIG_NAME}").decode("utf-8", "replace")
    result = []
    for record in out.split("\x1e"):
        fields = record.strip("\n").split("\x1f")
        if len(fields) != 5:
            continue
        sha, parents, author, date, subject = fields
        result.append(Commit(sha, parents.split()[0] if parents else None, author, date, subject))
    return result
