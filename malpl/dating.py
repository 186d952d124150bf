"""A report's date, and the repository as it was at a revision.

A report must come out the same whenever it is rendered, so its date is never
simply "today". In order: the date given on the command line; the period's date
in malpl.yaml (``periods.dates``); with ``report.date: false`` no date at all;
the committer date of the last commit that changed the period's follow-ups;
``SOURCE_DATE_EPOCH``; and only then today, said to be not reproducible. Writing
T2 later does not move T1's date, because only follow-ups keyed by the period count.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from malpl import git
from malpl.i18n import _
from malpl.model import FollowUp, Goal, plain
from malpl.periods import SCHEMES, Period, PeriodError, parse_period
from malpl.repository import CONFIG_NAME, MalplError, Repository, load_at
from malpl.text import visible, visible_name
from malpl.versions import ParseCache

# One follow-up of the period: (goal or target, its id, every field of the follow-up).
Entry = tuple[str, str, tuple[tuple[str, object], ...]]


class Reason(str):
    """Where a report's date came from, said in the language in use; ``today`` tells the
    day of the run (not reproducible) from the others without reading the words."""

    today = False


def _today(why_not: str, period: Period) -> Reason:
    reason = Reason(_("today (not reproducible: {why}; set periods.dates.{period} in {file}, "
                      "or give the date with --date)").format(why=why_not, period=period,
                                                               file=CONFIG_NAME))
    reason.today = True
    return reason


def report_date(root: Path, repo: Repository, period: Period, explicit: dt.date | None,
                *, at: str | None = None) -> tuple[dt.date | None, Reason]:
    """The report's date and where it came from, for a note; None when ``report.date``
    is false and no date is given, as for a source that states none.

    ``repo`` is what the report shows: the working tree, or (``at``) the
    revision it was loaded from with :func:`~malpl.repository.load_at`.
    """
    if explicit is not None:
        return explicit, Reason(_("given with --date"))
    configured = _configured(repo, period)
    if configured is not None:
        return configured, Reason(_("periods.dates in {file}").format(file=CONFIG_NAME))
    if not repo.config.report.date:
        return None, Reason(_("no date: report.date is false in {file}").format(
            file=CONFIG_NAME))
    committed, why_not = _committed(root, repo, period, at)
    if committed is not None:
        return committed[0], Reason(committed[1])
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        return _epoch(epoch), Reason("SOURCE_DATE_EPOCH")
    return dt.date.today(), _today(why_not, period)


@contextmanager
def dating(root: Path, repo: Repository, period: Period, explicit: dt.date | None,
           *, at: str | None = None) -> Iterator[Callable[[], tuple[dt.date | None, Reason]]]:
    """:func:`report_date` in a thread while the block runs; the value it yields gives
    the date, or raises what finding it raised.

    Finding the date is mostly waiting on git, which runs on another core while a
    report imports what it renders with.
    """
    import threading

    found: list[tuple[dt.date | None, Reason]] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            found.append(report_date(root, repo, period, explicit, at=at))
        except BaseException as err:  # given to the caller, in its own thread
            failed.append(err)

    thread = threading.Thread(target=work, name="malpl-dating", daemon=True)
    thread.start()

    def date() -> tuple[dt.date | None, Reason]:
        thread.join()
        if failed:
            raise failed[0]
        return found[0]

    try:
        yield date
    finally:
        thread.join()


def _matches(key: str, period: Period) -> bool:
    """Is ``key`` this period, read as every command reads period keys?"""
    scheme = next((name for name, (prefix, *_) in SCHEMES.items() if prefix == period.prefix),
                  None)
    try:
        return scheme is not None and parse_period(key, scheme) == period
    except PeriodError:
        return False


def _configured(repo: Repository, period: Period) -> dt.date | None:
    for key, day in repo.config.periods.dates.items():
        if _matches(key, period):
            try:
                return dt.date.fromisoformat(day)
            except ValueError as err:
                raise MalplError(
                    _("{file}: periods.dates.{period}: '{day}' is not a date").format(
                        file=CONFIG_NAME, period=period, day=visible(day)),
                    _('write it as "2024-05-20" (year-month-day, in quotes); \'malpl check\' '
                      "shows the line")) from err
    return None


def _epoch(value: str) -> dt.date:
    """The UTC date of SOURCE_DATE_EPOCH, as reproducible builds define it."""
    try:
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError) as err:
        raise MalplError(_("SOURCE_DATE_EPOCH is not a time: '{value}'").format(
                             value=visible(value)),
                         _("set it to seconds since 1970-01-01 UTC, e.g. $(git log -1 "
                           "--format=%ct)")) from err


def entries(goals: Iterable[Goal], period: Period) -> list[Entry]:
    """Every follow-up of the period, of goals and of their targets, as comparable values."""
    found: list[Entry] = []
    for goal in goals:
        owners = [("goal", goal.id, goal.followups),
                  *(("target", t.id, t.followups) for t in goal.targets)]
        found += [(kind, ident, _fields(follow)) for kind, ident, follows in owners
                  for key, follow in follows.items() if _matches(key, period)]
    return found


def _fields(follow: FollowUp) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(plain(follow).items()))


def _committed(root: Path, repo: Repository, period: Period, at: str | None
               ) -> tuple[tuple[dt.date, str] | None, str]:
    """The last commit's date, or None and why git cannot tell."""
    try:
        head = git.head(root)
    except git.NotARepository:
        return None, _("not in a git repository")
    except MalplError as err:
        return None, str(err)
    if at is None and head.commit is None:
        return None, _("nothing is committed yet")
    start = at or head.commit
    assert start is not None
    shown = Counter(entries(repo.goals, period))
    on_disk: dict[str, Goal] = {}
    if at is None and git.unchanged(root, head.prefix):  # the working tree is what is committed
        same = _loaded(repo)
        on_disk = {goal.source.path: goal for goal in repo.goals}
    else:
        committed = load_at(root, start)
        same = _loaded(committed) and Counter(entries(committed.goals, period)) == shown
    if not same:
        differ = (_("the follow-ups of {period} at {revision} differ from what is committed")
                  if at else
                  _("the follow-ups of {period} in the working tree differ from what is "
                    "committed"))
        return None, differ.format(period=period, revision=visible_name(at or ""))
    if not shown:
        return None, _("there are no follow-ups for {period}").format(period=period)
    commit, why_not = _Walk(root, period, on_disk).last_change(start, head, resolved=at is None)
    if commit is None:
        return None, why_not
    return (dt.date.fromisoformat(commit.date[:10]),
            _("committer date of {commit}, the last commit that changed the follow-ups of "
              "{period}").format(commit=commit.sha[:10], period=period)), ""


def _loaded(repo: Repository) -> bool:
    """Did every goal file of the revision load (so its follow-ups are all known)?"""
    return len(repo.goals) == repo.files - int(repo.config_source is not None)


class _Walk:
    """History newest first, undoing one commit at a time, until the period's follow-ups differ.

    ``delta`` holds what the state before the commits undone so far has more
    (positive) or less (negative) than the state being dated; ``unknown`` the
    files whose version there did not load. Only the files each commit changed
    are read, each version once. ``on_disk``: the goals as loaded from the working
    tree by path, when git sees it as HEAD; the newest commit that changed a file
    left it as it is there, so when the file's bytes are that version's (git status
    is not enough: ``ident``, filters, ``skip-worktree``), it is not read and parsed again.
    """

    def __init__(self, root: Path, period: Period, on_disk: dict[str, Goal] | None = None
                 ) -> None:
        self.root = root
        self.period = period
        self.delta: dict[Entry, int] = {}
        self.unknown: set[str] = set()
        self.cache: ParseCache | None = None  # while git's blob reader runs
        self.on_disk = dict(on_disk or {})

    def last_change(self, start: str, head: git.Head, *, resolved: bool
                    ) -> tuple[git.Commit | None, str]:
        shallow = git.shallow_commits(self.root, head.shallow)
        introduced, pending = None, True
        history = git.first_parent_history(self.root, start, head.prefix, resolved=resolved)
        with git.Blobs(self.root) as blobs, closing(history) as log:
            self.cache = ParseCache(blobs)
            for commit in log:
                if pending:
                    introduced, pending = commit, False
                if commit.parent is None and commit.sha in shallow:
                    return None, _("the clone is shallow: git does not have the commit that "
                                   "changed them (git fetch --unshallow fetches it)")
                for f in commit.files:
                    self.count(f.path, f.new_mode, f.new_blob, -1)
                    self.count(f.path, f.old_mode, f.old_blob, +1)
                if self.unknown:  # a version that did not load: look further back
                    continue
                if self.delta:
                    return introduced, ""
                pending = True
        return None, _("no commit has the follow-ups of {period}").format(period=self.period)

    def count(self, path: str, mode: str, blob: str, sign: int) -> None:
        known = self.on_disk.pop(path, None)  # only the newest version of a file is on disk
        if blob == git.MISSING:
            return
        assert self.cache is not None
        goal = (known if known is not None and sign < 0 and self._as_on_disk(path, mode, blob)
                else self.cache.get(path, blob[:10], mode, blob).model)
        if not isinstance(goal, Goal):
            if sign > 0:
                self.unknown.add(path)
            else:
                self.unknown.discard(path)
            return
        for entry in entries([goal], self.period):
            count = self.delta.get(entry, 0) + sign
            if count:
                self.delta[entry] = count
            else:
                del self.delta[entry]

    def _as_on_disk(self, path: str, mode: str, blob: str) -> bool:
        """Are the bytes of the file on disk exactly git's ``blob`` (a file, not a link)?"""
        if mode == git.LINK_MODE:
            return False
        try:
            data = (self.root / path).read_bytes()
        except OSError:
            return False
        return git.blob_id(data, blob) == blob
