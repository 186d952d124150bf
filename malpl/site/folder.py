"""The site's output folder: which of its files are malpl's, and which are a person's.

A person may keep files of their own beside the site (``CNAME`` for GitHub Pages, a
search engine's verification file). ``.malpl-site.json`` in the folder lists every
file the last build wrote, with its SHA-256. A build then

* writes its files, each replaced whole; a file at the same path that malpl did not
  write (not on the list) is never replaced: the build stops before it moves anything,
  and names it;
* removes the files the last build wrote that this one does not, if they still hold
  what malpl wrote;
* leaves every other file alone.

The list is written before a file is moved (naming the files of both builds) and again
at the end, so a build cut short leaves a folder the next build can finish. A later
build can compare the hashes to write only the files that change.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from malpl.files import replace
from malpl.i18n import N_, _, ngettext
from malpl.repository import MalplError
from malpl.text import visible_line

MANIFEST = ".malpl-site.json"
LEGACY_MARKER = ".malpl-site"  # earlier versions marked a folder they replaced whole
MAX_MANIFEST_BYTES = 64 * 2**20
PENDING = ""  # the hash of a file a build was about to write: compared, it never matches
_HINT = N_("remove the folder and build the site again; your own files in it "
           "(CNAME, a verification file) are kept by the next build")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()  # a page or the logo: small


def publish(fresh: Path, out: Path) -> None:
    """Move the files of a site built in ``fresh`` into ``out``, as the module says."""
    new = {path.relative_to(fresh).as_posix(): file_hash(path)
           for path in sorted(fresh.rglob("*")) if path.is_file()}
    old, legacy = read_manifest(out)
    clashes = [why for rel, digest in new.items()
               if (why := _not_ours(out, rel, rel in old or legacy, digest))]
    if clashes:
        said = (ngettext("the site would replace {file} (and {n} more); it is left as it is",
                         "the site would replace {file} (and {n} more); it is left as it is",
                         len(clashes) - 1) if len(clashes) > 1
                else _("the site would replace {file}; it is left as it is"))
        raise MalplError(said.format(file=clashes[0], n=len(clashes) - 1),
                         _("move your file out of the folder, or build the site into "
                           "another folder with -o"))
    out.mkdir(parents=True, exist_ok=True)
    _write_manifest(out, old | {rel: PENDING for rel in new.keys() - old.keys()})
    for rel in new:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(fresh / rel, out / rel)
    for rel in sorted(old.keys() - new.keys()):
        _remove_if_unchanged(out, rel, old[rel])
    _write_manifest(out, new)


def read_manifest(out: Path) -> tuple[dict[str, str], bool]:
    """The files the last build wrote, by path inside ``out``, with their hashes; and
    whether ``out`` is a site an earlier version wrote whole (its files are malpl's)."""
    path = out / MANIFEST
    if not os.path.lexists(path):
        marker = out / LEGACY_MARKER
        if marker.is_file() and not marker.is_symlink():
            return {LEGACY_MARKER: file_hash(marker)}, True  # the marker goes, as malpl's
        return {}, False
    where = visible_line(str(path))
    if path.is_symlink() or not path.is_file():
        raise MalplError(_("{path} is not the list of files malpl wrote").format(path=where),
                         _(_HINT))
    with open(path, "rb") as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    try:
        if len(data) > MAX_MANIFEST_BYTES:
            raise ValueError(_("it is larger than {mb} MB").format(
                mb=MAX_MANIFEST_BYTES // 2**20))
        listing = json.loads(data)
        files = listing.get("files") if isinstance(listing, dict) else None
        if not isinstance(files, dict):
            raise ValueError(_("it has no mapping 'files'"))
        for rel, digest in files.items():
            _check_entry(rel, digest)
    except ValueError as err:
        raise MalplError(_("{path} is not a list of files malpl wrote: {reason}").format(
                             path=where, reason=visible_line(str(err))), _(_HINT)) from None
    return files, False


def _check_entry(rel: str, digest: object) -> None:
    """A path malpl could have written: inside the folder, never the list itself."""
    parts = PurePosixPath(rel).parts
    if (not parts or rel.startswith("/") or "\\" in rel or "\0" in rel or rel == MANIFEST
            or any(p in (".", "..") for p in parts) or PurePosixPath(*parts).as_posix() != rel):
        raise ValueError(_("'{path}' is not a path inside the folder").format(path=rel))
    if not isinstance(digest, str) or len(digest) not in (0, 64):
        raise ValueError(_("the hash of '{path}' is not a SHA-256").format(path=rel))


def _not_ours(out: Path, rel: str, ours: bool, digest: str = PENDING) -> str:
    """Why the file at ``rel`` must not be written, or "" when it may: it is malpl's
    (``ours``), or it holds the bytes malpl would write (hash ``digest``: ``.nojekyll``)."""
    path = out / rel
    for parent in reversed(PurePosixPath(rel).parents[:-1]):  # the folders on the way
        folder = out / parent
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return _("{path}, which is not a folder malpl made").format(
                path=visible_line(str(folder)))
    if not os.path.lexists(path):
        return ""
    if path.is_symlink() or not path.is_file():
        return _("{path}, which is not a file").format(path=visible_line(str(path)))
    if ours or file_hash(path) == digest:
        return ""
    return _("{path}, a file malpl did not write").format(path=visible_line(str(path)))


def _remove_if_unchanged(out: Path, rel: str, digest: str) -> None:
    """Remove a file of the last build that this one does not write, and the folders it
    leaves empty; a file someone changed since, or put there instead, is kept."""
    path = out / rel
    if _not_ours(out, rel, True) or not path.is_file() or file_hash(path) != digest:
        return
    path.unlink()
    for parent in PurePosixPath(rel).parents[:-1]:
        try:
            (out / parent).rmdir()
        except OSError:  # not empty: it holds other files
            break


def _write_manifest(out: Path, files: dict[str, str]) -> None:
    listing = {"generator": "malpl site", "format": 1, "files": dict(sorted(files.items()))}
    text = json.dumps(listing, ensure_ascii=False, indent=1)
    replace(out / MANIFEST, (text + "\n").encode("utf-8"))
