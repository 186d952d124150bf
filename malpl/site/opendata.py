"""What the site says about its data: when each period was published and last changed,
and the period's follow-ups as open data (CSV and JSON) beside its pages.

Every date comes from git, never from the clock, so the same commit builds the same
bytes: a period is *published* by the commit that closed it (``malpl period close``
adds it to ``periods.closed`` in malpl.yaml; the oldest commit of the unbroken run of
commits whose malpl.yaml lists it), and its data *changed* last in the commit that last
changed its follow-ups (:mod:`malpl.dating`). Where git cannot tell (no repository,
changes not committed, a period not closed) the page says so instead of a date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from malpl import git, swedish
from malpl.dating import _committed
from malpl.periods import Period
from malpl.repository import CONFIG_NAME, MalplError, Repository
from malpl.snapshot import Snapshot
from malpl.spreadsheets import csv_text
from malpl.spreadsheets.tables import status

NOT_FROM_GIT = "ej publicerad från git"
NOT_CLOSED = "perioden är inte stängd ännu"
NOT_COMMITTED = "ändringar som inte är sparade i git"
_KEYS = ("period", "body", "goal", "id", "level", "text", "responsible", "assessment",
         "assessment_key", "forecast", "value", "target", "combined", "comment", "ready")


def data_paths(period: Period) -> tuple[str, str]:
    """The CSV and the JSON of a period, inside the site."""
    return f"{period}/data/uppfoljning-{period}.csv", f"{period}/data/uppfoljning-{period}.json"


class Dates:
    """The git facts of one repository, found once: the commits that closed periods."""

    def __init__(self, repo: Repository, at: str | None = None) -> None:
        self.repo, self.at = repo, at  # at: the revision the site is built from, if not HEAD
        try:
            self.head: git.Head | None = git.head(repo.root)
        except MalplError:  # no git, or not a repository
            self.head = None
        self._closing: dict[str, dt.date | None] | None = None
        self._changed: dict[Period, tuple[dt.date | None, str]] = {}

    def published(self, period: Period) -> tuple[dt.date | None, str]:
        """The day the period was closed, or None and why not."""
        if self.head is None or self.head.commit is None:
            return None, NOT_FROM_GIT
        if str(period) not in self.repo.config.periods.closed:
            return None, NOT_CLOSED
        day = self.closing().get(str(period))
        return (day, "") if day else (None, NOT_COMMITTED)

    def statement(self, fallback: tuple[dt.date | None, str]) -> str:
        """When the accessibility statement was last changed: the last commit of the
        repository's own statement, else ``fallback`` (the site's latest data)."""
        if self.head is None or self.head.commit is None:
            return NOT_FROM_GIT
        path = f":(top){self.head.prefix}templates/site/tillganglighet.html.j2"
        day = git._git(self.repo.root, "log", "-1", "--format=%cs", self.at or "HEAD", "--",
                       path).decode().strip()
        return swedish.date(dt.date.fromisoformat(day)) if day else said(fallback)

    def changed(self, period: Period) -> tuple[dt.date | None, str]:
        """The committer date of the last commit that changed the period's follow-ups."""
        if self.head is None or self.head.commit is None:
            return None, NOT_FROM_GIT
        if period not in self._changed:
            found, _why = _committed(self.repo.root, self.repo, period, self.at)
            self._changed[period] = (found[0], "") if found else (None, NOT_COMMITTED)
        return self._changed[period]

    def closing(self) -> dict[str, dt.date | None]:
        """Each period listed in HEAD's ``periods.closed``, with the date of the commit
        that added it: walking back along the first parents of malpl.yaml's history, the
        oldest commit of the run that still lists it."""
        if self._closing is None:
            assert self.head is not None
            path = f"{self.head.prefix}{CONFIG_NAME}"
            log = git._git(self.repo.root, "log", "--first-parent", "--format=%H %cI",
                           self.at or "HEAD", "--", f":(top){path}").decode().split()
            found: dict[str, dt.date | None] = {}
            open_keys: set[str] | None = None
            for sha, when in zip(log[::2], log[1::2], strict=True):
                listed = _closed_at(self.repo.root, sha, path)
                if open_keys is None:
                    open_keys = set(listed)
                open_keys &= set(listed)
                for key in open_keys:
                    found[key] = dt.date.fromisoformat(when[:10])
                if not open_keys:
                    break
            self._closing = found
        return self._closing


def _closed_at(root: Path, sha: str, path: str) -> list[str]:
    """``periods.closed`` in malpl.yaml at a commit; nothing when it cannot be read."""
    import yaml

    try:
        data = yaml.safe_load(git._git(root, "show", f"{sha}:{path}"))
        closed = data["periods"]["closed"]
    except (MalplError, yaml.YAMLError, KeyError, TypeError):
        return []
    return [str(k) for k in closed] if isinstance(closed, list) else []


def said(found: tuple[dt.date | None, str]) -> str:
    day, why = found
    return swedish.date(day) if day else why


def iso(found: tuple[dt.date | None, str]) -> str | None:
    return found[0].isoformat() if found[0] else None


@contextmanager
def _swedish() -> Iterator[None]:
    """The site is the municipality's Swedish publication, whatever language malpl speaks
    in the terminal: so are its CSV's headers and yes/no."""
    before = os.environ.get("MALPL_LANG")
    os.environ["MALPL_LANG"] = "sv"
    try:
        yield
    finally:
        if before is None:
            del os.environ["MALPL_LANG"]
        else:
            os.environ["MALPL_LANG"] = before


def files(snap: Snapshot, organisation: str, published: str | None, changed: str | None
          ) -> dict[str, bytes]:
    """The period's follow-ups as Swedish Excel's CSV (the status spreadsheet) and as JSON
    with the same rows under stable English keys and the dates (ISO 8601, or null)."""
    with _swedish():
        sheet = status(snap)
        csv = csv_text(sheet)
    rows = [dict(zip(_KEYS, row, strict=True)) for row in sheet.rows]
    document = {"organisation": organisation, "period": str(snap.period),
                "period_text": snap.period_text, "published": published, "changed": changed,
                "generator": "malpl", "rows": rows}
    csv_path, json_path = data_paths(snap.period)
    return {csv_path: csv.encode("utf-8"),
            json_path: (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()}


def period_info(dates: Dates, period: Period, draft: bool) -> dict[str, Any]:
    """What every page of the period says about its data."""
    published, changed = dates.published(period), dates.changed(period)
    csv_path, json_path = data_paths(period)
    return {"published": said(published), "changed": said(changed),
            "published_iso": iso(published), "changed_iso": iso(changed),
            "csv": csv_path, "json": json_path, "draft": draft}
