"""Versions of goal files in git history, each parsed once by its blob id.

History (``diff``, ``log``, a report's date) reads only the files a commit changed,
and each version of a file twice (as the new side of one commit and the old side of
the next); a small cache parses each blob once while memory stays bounded however
long the history is. ``diff`` compares the blob ids of its two sides first, and reads
only the files that differ and those that may name their ids (:func:`load_sides`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from malpl import git
from malpl.kolada.store import is_kolada_path
from malpl.layout import CONFIG_NAME, GOALS_DIR
from malpl.model import Config, Goal
from malpl.parsing import load_goal, parse_model
from malpl.repository import Repository, load
from malpl.sources import Revision, Tree, link_source
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


class Sides(NamedTuple):
    """The two sides of a comparison, and the paths whose files differ between them."""

    old: Repository
    new: Repository
    changed: set[str]


def load_sides(old: Revision, new: Tree) -> Sides:
    """Both sides with only what a comparison needs read: the files whose blob ids differ,
    the unchanged files that may name an id of theirs (a parent, a child, a duplicate),
    malpl.yaml and the Kolada files. An unchanged goal is the same on both sides, so it
    adds no change, and the checks of the files read see every file they concern."""
    old_versions = old.versions()
    new_versions = new.versions(old.commit)
    changed = {p for p in old_versions.keys() | new_versions.keys()
               if old_versions.get(p) != new_versions.get(p) or not new_versions.get(p)}
    only = _needed(old, new, changed, old_versions.keys() - changed)
    old.only = new.only = only
    return Sides(load(old), load(new), changed)


# An id as a word of its own: no id character next to it (':' may be, in "id":"1.1").
_WORD = "(?<![A-Za-z0-9_.-])(?:{})(?![A-Za-z0-9_.-])"
# What lets a file hold an id it does not spell out: an escape in a double-quoted text,
# and the one character that NFC turns into an ASCII letter (KELVIN SIGN, K).
_HIDDEN = ["\\", "\u212a"]
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,200}")


def _needed(old: Revision, new: Tree, changed: set[str], unchanged: set[str]) -> set[str] | None:
    """The files both sides read; None (all) when malpl.yaml or a Kolada file changed, for
    they change what every goal file means, or when an id is not plain enough to look
    for as text."""
    if any(p == CONFIG_NAME or is_kolada_path(p) for p in changed):
        return None
    ids: set[str] = set()
    for tree in (old, new):
        tree.only = changed
        for source in tree.inputs().files:
            ids |= named(source)
    if not plain(ids):
        return None
    kolada = {p for p in unchanged if is_kolada_path(p)}
    if not ids:
        return changed | kolada
    return changed | (naming(old.root, old.commit, ids) & unchanged) | kolada


def plain(ids: set[str]) -> bool:
    """Are these ids written so that :func:`naming` can look for them as text?"""
    return all(_PLAIN_ID.fullmatch(i) for i in ids)


def naming(root: Path, commit: str, ids: set[str]) -> set[str]:
    """The goal files at ``commit`` that may name one of the :func:`plain` ``ids``: a Perl
    expression where git has them; else each id as a word, which finds "1.2" in "1.1.2"
    too (more files read, none missed). Paths from the goals repository."""
    goals, listed = [GOALS_DIR], sorted(ids)
    words = _WORD.format("|".join(i.replace(".", "\\.") for i in listed))
    found = git.grep(root, commit, [words, *(re.escape(h) for h in _HIDDEN)], goals, ["-P"])
    if found is None:
        found = (git.grep(root, commit, listed, goals, ["-F", "-w"]) or set()) | (
            git.grep(root, commit, _HIDDEN, goals, ["-F"]) or set())
    return found


def named(source: Source) -> set[str]:
    """The ids a goal file gives and the parents it names, as read and as written."""
    data = source.data
    if not isinstance(data, dict):
        return set()
    places: list[tuple[Any, ...]] = [("id",), ("parent",)]
    if isinstance(data.get("parent"), list):
        places += [("parent", i) for i in range(len(data["parent"]))]
    for key in ("targets", "measures"):
        if isinstance(data.get(key), list):
            places += [(key, i, "id") for i, item in enumerate(data[key]) if isinstance(item, dict)]
    found = set()
    for place in places:
        value: Any = data
        for step in place:
            value = value.get(step) if isinstance(value, dict) else (
                value[step] if isinstance(value, list) else None)
        if isinstance(value, (str, int, float)):
            found.add(str(value))
            if place in source.raw:
                found.add(source.raw[place])
    return found
