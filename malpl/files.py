"""Small facts about the files malpl writes."""

from __future__ import annotations

import os


def usual_mode() -> int:
    """The permissions of a new file (0666 less the umask): what a person's editor would
    give it, not the 0600 of a temporary file renamed into place."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
