"""How malpl writes files: a new version appears whole or not at all.

Every file malpl writes (a report, a pulled Kolada file, an edited goal file) is
first written beside its target and then renamed over it, so a reader, a crash or
Ctrl-C never meets half a file, and nothing is left behind on failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


def usual_mode() -> int:
    """The permissions of a new file (0666 less the umask): what a person's editor would
    give it, not the 0600 of a temporary file renamed into place."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def stage(target: Path, content: bytes | BinaryIO, *, mode: int | None = None,
          prefix: str = ".") -> Path:
    """``content`` in a temporary file in ``target``'s folder (so that renaming it over
    ``target`` is atomic), on disk, with ``mode`` (default :func:`usual_mode`)."""
    import shutil  # here, not above: `check` imports the modules that write, never writes
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f"{prefix}{target.name}.", suffix=".tmp",
                                dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(content, bytes):
                out.write(content)
            else:
                shutil.copyfileobj(content, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, usual_mode() if mode is None else mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def replace(target: Path, content: bytes | BinaryIO, *, mode: int | None = None,
            prefix: str = ".") -> None:
    """Put ``content`` at ``target`` atomically: whole, or not at all."""
    temp = stage(target, content, mode=mode, prefix=prefix)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
