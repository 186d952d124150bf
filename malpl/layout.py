"""Where a goals repository keeps its inputs: the names every layer agrees on."""

import os
from pathlib import Path

CONFIG_NAME = "malpl.yaml"
GOALS_DIR = "goals"
KOLADA_DIR = "data/kolada"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 64 * 2**20  # a goal file is kilobytes; this guards against /dev/zero


def find_root(here: Path) -> Path:
    """The repository a command run in ``here`` works on: the nearest folder at or above
    it that holds malpl.yaml, else the nearest that holds goals/ (as git finds its
    repository from a subfolder); ``here`` when there is none, or when the folders cannot
    be read, so that the error names where malpl looked."""
    try:
        start = here.resolve(strict=True)
        folders = (start, *start.parents)
        found = (next((f for f in folders if (f / CONFIG_NAME).is_file()), None)
                 or next((f for f in folders if (f / GOALS_DIR).is_dir()), None))
    except OSError:  # a folder deleted or closed to us: look no further
        return here
    if found is None or found == start:
        return here
    return Path(os.path.relpath(found, start))
