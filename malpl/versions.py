"""Versions of goal files in git history, each parsed once by its blob id.

History (``diff``, ``log``, a report's date) reads only the files a commit changed,
and each version of a file twice (as the new side of one commit and the old side of
the next); a small cache parses each blob once while memory stays bounded however
long the history is.
"""

from __future__ import annotations

from collections import OrderedDict

import msgspec

from malpl import git
from malpl.layout import CONFIG_NAME
from malpl.model import Config, Goal
from malpl.parsing import load_goal, parse_model
from malpl.sources import link_source
from malpl.yamlsource import Source, load_bytes


class Parsed(msgspec.Struct):
    """A goal file or malpl.yaml at one blob id, parsed once; ``model`` is None if it failed."""

    source: Source
    model: Goal | Config | None = None


class ParseCache(msgspec.Struct):
    """Parsed files keyed by blob id, the least recently used dropped first."""

    blobs: git.Blobs
    size: int = 512
    entries: OrderedDict[tuple[str, str, str], Parsed] = msgspec.field(
        default_factory=OrderedDict)

    def get(self, relative: str, rev: str, mode: str, blob: str) -> Parsed:
        """The file at ``relative`` as blob ``blob``, named ``rev:relative`` in problems."""
        key = (blob, mode, relative)
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        content, name = self.blobs.read(blob), f"{rev}:{relative}"
        if mode == git.LINK_MODE:
            parsed = Parsed(link_source(name, content))
        else:
            source = load_bytes(name, content)
            parsed = Parsed(source, parse_model(Config, source) if relative == CONFIG_NAME
                            else load_goal(source))
        self.entries[key] = parsed
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return parsed
