"""Reading a repository's own files (templates, stylesheet, Word profile, Lua filter, logo):
only a regular file whose real path lies inside the folders it may come from.

A link in a repository is a contributor's word on where to read, and it may point at
``/proc/self/environ`` or ``/etc/passwd``: whatever malpl reads here would be published
in a report or on the website. So every such read goes through :func:`read_inside`,
which follows a link only to a file inside the allowed folders, refuses a folder, a
pipe or a device (and never waits on one), and reads at most ``limit`` bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from malpl.errors import MalplError
from malpl.i18n import N_, _
from malpl.text import visible

#: The most a template, stylesheet or Lua filter may hold: they are kilobytes.
TEXT_LIMIT = 4 * 2**20
#: The most a Word profile may hold.
FILE_LIMIT = 16 * 2**20
#: The most a logo may hold.
PICTURE_LIMIT = 2 * 2**20
_PICTURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
REPOSITORY = N_("the repository")
NOT_REGULAR = N_("{path} is not a regular file (a folder, pipe or device)")
UNREADABLE = N_("{path} cannot be read: {reason}")

_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))


def read_inside(path: Path, within: Sequence[Path], limit: int, *, where: str = REPOSITORY,
                shown: str = "") -> bytes:
    """The bytes of ``path``, when its real path is a regular file inside one of ``within``
    (``where`` says which in an error) and holds at most ``limit`` bytes; else a
    :class:`MalplError` that names it (as ``shown``, or its path). The real path is what is
    opened, and not through a link, so the file read is the one checked. ``where`` is said
    in the language in use (a message marked with :func:`N_`, or a path)."""
    shown = shown or visible(str(path))
    fix = _("replace it with a plain file in the repository, or remove it")
    real = Path(os.path.realpath(path))
    if not any(real.is_relative_to(os.path.realpath(folder)) for folder in within):
        raise MalplError(_("{path} leads outside {where}; it is not read").format(
                             path=shown, where=_(where)),
                         _("copy the file into the repository instead of linking to it"))
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):  # before opening: a device is never opened
            raise MalplError(_(NOT_REGULAR).format(path=shown), fix)
        fd = os.open(real, _FLAGS)
    except FileNotFoundError as err:
        what = (_("{path} is a link that leads to nothing") if path.is_symlink()
                else _("{path} does not exist"))
        raise MalplError(what.format(path=shown), fix) from err
    except OSError as err:
        raise MalplError(_(UNREADABLE).format(path=shown, reason=err.strerror or err),
                         fix) from err
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # changed since it was looked at
                raise MalplError(_(NOT_REGULAR).format(path=shown), fix)
            data = handle.read(limit + 1)
        except OSError as err:
            raise MalplError(_(UNREADABLE).format(path=shown, reason=err.strerror or err),
                             fix) from err
    if len(data) > limit:
        raise MalplError(_("{path} is larger than {mb} MB").format(path=shown,
                                                                   mb=limit // 2**20),
                         _("such a file is kilobytes; use a smaller one"))
    return data


class Confined(NamedTuple):
    """Folders to find a file in, the first that has it winning, and the folders the real
    path of whatever is read from them must lie in (a link may point anywhere inside)."""

    dirs: tuple[Path, ...]
    within: tuple[Path, ...]
    where: str = REPOSITORY

    def find(self, name: str, limit: int = TEXT_LIMIT) -> tuple[Path, bytes] | None:
        """The first ``name`` (``a/b.j2``) in the folders and its bytes, or None where none has
        it. A link there is that file: one that leads nowhere or out is an error, never a
        reason to look in the next folder, so a broken override is never quietly ignored."""
        pieces = [p for p in name.split("/") if p not in ("", ".")]
        if not pieces or ".." in pieces or any(os.sep in p or (os.altsep or "/") in p
                                               for p in pieces):
            return None
        for folder in self.dirs:
            path = folder.joinpath(*pieces)
            if os.path.lexists(path):
                return path, read_inside(path, self.within, limit, where=self.where)
        return None


def read_picture(root: Path, name: str, setting: str) -> tuple[str, bytes]:
    """The logo ``name`` that ``setting`` in malpl.yaml gives: a PNG or JPEG file inside the
    repository at ``root``, and its kind ("png" or "jpg"). Nothing else is read or
    published: an SVG could carry script, which would run on the website."""
    shown = f"malpl.yaml: {setting} '{visible(name)}'"
    data = read_inside(root / name, [root], PICTURE_LIMIT, shown=shown)
    kind = next((k for magic, k in _PICTURES.items() if data.startswith(magic)), None)
    if kind is None:
        raise MalplError(_("{path} is not a PNG or JPEG picture").format(path=shown),
                         _("give a PNG or JPEG file inside the repository, e.g. {setting}: "
                           "logo.png").format(setting=setting))
    return kind, data
