"""Open a follow-up period for writing, and close it before the board meeting.

What is followed up: every target, every indicator (its entry has no
``assessment:``, as its rule gives one), every goal that already has a
``followups:`` mapping of its own, and a goal with nothing under it (no
targets, no indicators, no goal that serves it). Any other goal without follow-ups of its own
is summarised by what is under it, so opening a period never gives it one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from malpl.checks import followups
from malpl.i18n import _, ngettext
from malpl.lifecycle.edit import Plan, block
from malpl.model import FollowUp, Goal
from malpl.periods import Period, parse_period
from malpl.repository import CONFIG_NAME, MalplError, Repository
from malpl.views import child_goals


def _previous(follow: dict[str, FollowUp], period: Period, scheme: str) -> FollowUp | None:
    """The latest follow-up before ``period`` in one mapping (keys are valid: checked)."""
    earlier = [(p, f) for k, f in follow.items() if (p := parse_period(k, scheme)) < period]
    return max(earlier, key=lambda pf: pf[0].sort_key)[1] if earlier else None


def empty_followup(last: FollowUp | None, *, carry: bool, carry_comment: bool) -> dict[str, Any]:
    """The entry a writer fills in: last period's assessment and forecast when carried,
    its comment only when asked, and never 'ready' (that is the writer's word)."""
    entry: dict[str, Any] = {"assessment": last.assessment if carry and last else None}
    if carry and last and last.forecast:
        entry["forecast"] = last.forecast
    comment = last.comment if carry_comment and last else None
    entry["comment"] = block(comment) if comment else None
    entry["ready"] = False
    return entry


def ended_before(goal: Goal, period: Period) -> bool:
    return goal.ended is not None and goal.ended < period.year


def _next_key(follow: dict[str, FollowUp], period: Period, scheme: str) -> str | None:
    """The first period after ``period`` in the mapping, so the new entry goes in order."""
    later = sorted((p, k) for k in follow if (p := parse_period(k, scheme)) > period)
    return later[0][1] if later else None


@dataclass
class Opened:
    plan: Plan
    places: list[str] = field(default_factory=list)  # "goals/x.yaml: 1.1.2"
    #: How many of them start from last period's assessment, forecast or comment.
    carried: int = 0


def open_period(repo: Repository, period: Period, bodies: list[str] | None = None, *,
                carry: bool = False, carry_comment: bool = False) -> Opened:
    """Plan an empty follow-up for ``period`` wherever one is missing."""
    scheme = repo.config.periods.scheme
    key = str(period)
    result = Opened(Plan(repo.root))
    children = child_goals(repo)
    for goal in repo.goals_of(bodies):
        if ended_before(goal, period):
            continue
        path = repo.root / goal.source.path
        alone = not goal.targets and not children.get(goal.id) and not any(
            m.assessed for m in goal.measures)
        for base, ident, follow in followups(goal):
            if key in follow or (base == () and not follow and not alone):
                continue
            entry = empty_followup(_previous(follow, period, scheme), carry=carry,
                                   carry_comment=carry_comment)
            if base[:1] == ("measures",) and entry["assessment"] is None:
                del entry["assessment"]  # an indicator's rule gives it; set one only by hand
            result.carried += any(entry.get(k) is not None
                                  for k in ("assessment", "forecast", "comment"))
            edit = result.plan.file(path, goal.source.path)
            if follow:
                edit.add((*base, "followups"), key, entry, before=_next_key(follow, period, scheme))
            elif "followups" in edit.node(base):  # written as 'followups:' or '{}'
                edit.add((*base, "followups"), key, entry)
            else:
                after = [k for k in ("targets", "measures") if k in edit.node(base)]
                edit.add(base, "followups", {key: entry}, before=after[0] if after else None)
            result.places.append(f"{goal.source.path}: {ident}")
    return result


@dataclass
class Closed:
    missing: dict[str, list[Any]]
    tag: str | None


def close_period(repo: Repository, period: Period, bodies: list[str] | None = None, *,
                 tag: str | None = None) -> Closed:
    """Is everything written and ready? Then tag the commit (when ``tag`` is given)."""
    from malpl.lifecycle import vcs
    from malpl.snapshot import snapshot

    missing = snapshot(repo, period, bodies=bodies).todo()
    if missing or tag is None:
        return Closed(missing, None)
    root = repo.root
    dirty = vcs.changed(root, ["goals", "malpl.yaml"])
    if dirty:
        raise MalplError(
            ngettext("{n} goal file has changes that are not committed to git, e.g. {name}",
                     "{n} goal files have changes that are not committed to git, e.g. {name}",
                     len(dirty)).format(n=len(dirty), name=dirty[0]),
            _("commit them first: the tag marks the version of the files the board gets"))
    if vcs.tag_exists(root, tag):
        raise MalplError(_("the tag '{tag}' exists already").format(tag=tag),
                         _("give another name with --tag, or leave out the tag with --no-tag"))
    if str(period) not in repo.config.periods.closed:
        plan = Plan(root)
        record_closed(plan, repo, period)
        plan.apply()
        vcs.commit(root, [CONFIG_NAME], _("malpl: {period} closed").format(period=period))
    vcs.tag(root, tag, _("malpl: {period} closed, every follow-up written and ready").format(
        period=period))
    return Closed({}, tag)


def record_closed(plan: Plan, repo: Repository, period: Period) -> None:
    """Add ``period`` to ``periods.closed`` in malpl.yaml: a CI checkout, which fetches no
    tags, still knows which periods are closed (the site publishes the latest)."""
    path = repo.root / CONFIG_NAME
    key = str(period)
    if not path.is_file():
        plan.create(path, CONFIG_NAME, f"periods:\n  closed:\n    - {key}\n")
        return
    edit = plan.file(path, CONFIG_NAME)
    if "periods" not in edit.node(()):
        edit.add((), "periods", {"closed": [key]})
    elif "closed" not in edit.node(("periods",)):
        edit.add(("periods",), "closed", [key])
    else:
        edit.append(("periods", "closed"), key)
