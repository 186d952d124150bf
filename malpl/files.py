"""How malpl writes files: a new version appears whole or not at all.

Every file malpl writes (a report, a pulled Kolada file, an edited goal file) is
first written beside its target and then renamed over it, so a reader, a crash or
Ctrl-C never meets half a file, and nothing is left behind on failure.

Only a killed process (SIGKILL, a power cut) leaves its temporary file behind. Their
names say whose they are (``.6.9.yaml.malpl-<pid>-<random>.tmp``), so that one
``.gitignore`` line (:data:`GITIGNORE`) keeps them out of a commit and
:func:`remove_stale` can take away those of a run that is over, and nothing else.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

_MARK = ".malpl-"
#: A .gitignore line that matches every temporary file :func:`stage` names.
GITIGNORE = f".*{_MARK}*.tmp"
# tempfile's random part: eight of [a-z0-9_]; the pid tells whether its run is still on.
_TEMPORARY = re.compile(r"\..*" + re.escape(_MARK) + r"([0-9]{1,10})-[a-z0-9_]{8}\.tmp", re.S)
_NAME_PART = 100  # of the target's name in a temporary name, which must fit in 255 bytes
_SURELY_OVER = 3600  # seconds: no run holds a temporary file this long (if its pid is reused)


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

    fd, name = tempfile.mkstemp(
        prefix=f"{prefix}{target.name[:_NAME_PART]}{_MARK}{os.getpid()}-", suffix=".tmp",
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


def _running(pid: int) -> bool:
    """Is process ``pid`` still on (on this machine)? Unknown counts as yes."""
    if os.name != "posix":  # there, os.kill would end the process, not ask about it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or a number no process has
    return True


def remove_stale(folder: Path, started: float) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder`` and below: only regular
    files named as :func:`stage` names them, from before ``started`` (the current run's
    start), whose process is over (or that are an hour older). Links are not followed.
    What could not be removed stays; the files removed."""
    removed = []
    for current, _, names in os.walk(folder):
        for name in names:
            match = _TEMPORARY.fullmatch(name)
            if match is None:
                continue
            path = Path(current, name)
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_mtime >= started:
                    continue
                if _running(int(match.group(1))) and info.st_mtime >= started - _SURELY_OVER:
                    continue
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed

