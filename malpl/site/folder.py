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
at the end, so a build cut short leaves a folder the next build can finish.

A rerun costs what changed: a file whose new bytes hash as the list says and as the
file on disk does is not replaced (its mtime and inode stay, so a web server's caches
and ``rsync`` see nothing new), and the list is rewritten only when it changes. The
list also keeps each page's *key*, a hash of everything the page is rendered from
(:mod:`malpl.site.render`): a page whose key is unchanged, and whose file still holds
what malpl wrote, is neither rendered nor written.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import NamedTuple

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


class Listing(NamedTuple):
    """``.malpl-site.json`` as read: the files the last build wrote, by path inside the
    folder, with their hashes; the pages' keys; and whether the folder is a site an
    earlier version wrote whole (its files are malpl's)."""

    files: dict[str, str]
    keys: dict[str, str]
    legacy: bool


def kept(out: Path, listing: Listing, rel: str, key: str) -> bool:
    """Whether the page at ``rel`` need not be rendered: the last build rendered it from
    the same inputs (``key``), and its file still holds what that build wrote."""
    digest = listing.files.get(rel)
    return bool(digest) and listing.keys.get(rel) == key and _holds(out, rel, digest)


def publish(fresh: Path, out: Path, unchanged: dict[str, str] | None = None,
            keys: dict[str, str] | None = None) -> None:
    """Move the files of a site built in ``fresh`` into ``out``, as the module says.
    ``unchanged``: the pages not rendered again, by path, with their hashes (see
    :func:`kept`); ``keys``: every page's key, for the next build."""
    written = {path.relative_to(fresh).as_posix(): file_hash(path)
               for path in sorted(fresh.rglob("*")) if path.is_file()}
    new = dict(sorted({**written, **(unchanged or {})}.items()))
    listing = read_manifest(out)
    old, legacy = listing.files, listing.legacy
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
    if new.keys() - old.keys():
        _write_manifest(out, old | {rel: PENDING for rel in new.keys() - old.keys()}, {})
    for rel, digest in written.items():
        if old.get(rel) != digest or not _holds(out, rel, digest):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(fresh / rel, out / rel)
    for rel in sorted(old.keys() - new.keys()):
        _remove_if_unchanged(out, rel, old[rel])
    _write_manifest(out, new, keys or {})


def _holds(out: Path, rel: str, digest: str) -> bool:
    """Whether the file at ``rel`` is a file (not a link) holding the bytes of ``digest``."""
    path = out / rel
    return not _not_ours(out, rel, True) and path.is_file() and file_hash(path) == digest


def read_manifest(out: Path) -> Listing:
    """The list in ``out`` (see :class:`Listing`); an empty one where there is none."""
    path = out / MANIFEST
    if not os.path.lexists(path):
        marker = out / LEGACY_MARKER
        if marker.is_file() and not marker.is_symlink():  # the marker goes, as malpl's
            return Listing({LEGACY_MARKER: file_hash(marker)}, {}, True)
        return Listing({}, {}, False)
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
        keys = listing.get("keys", {})
        if not isinstance(keys, dict):
            raise ValueError(_("its 'keys' is not a mapping"))
        for rel, key in keys.items():
            if rel not in files or not isinstance(key, str) or len(key) != 64:
                raise ValueError(_("the key of '{path}' is not a SHA-256 of a file it "
                                   "lists").format(path=visible_line(str(rel))))
    except ValueError as err:
        raise MalplError(_("{path} is not a list of files malpl wrote: {reason}").format(
                             path=where, reason=visible_line(str(err))), _(_HINT)) from None
    return Listing(files, keys, False)


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
    if not _holds(out, rel, digest):
        return
    (out / rel).unlink()
    for parent in PurePosixPath(rel).parents[:-1]:
        try:
            (out / parent).rmdir()
        except OSError:  # not empty: it holds other files
            break


def _write_manifest(out: Path, files: dict[str, str], keys: dict[str, str]) -> None:
    """Write the list, unless it already says just this (a rerun then writes nothing)."""
    listing = {"generator": "malpl site", "format": 1, "files": dict(sorted(files.items())),
               "keys": dict(sorted(keys.items()))}
    data = (json.dumps(listing, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    path = out / MANIFEST
    if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
        return
    replace(path, data)
