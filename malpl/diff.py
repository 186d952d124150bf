"""What changed between two versions of the goals, in goal terms.

Goals, targets and measures are matched by id, never by file, so a renamed
file or a target moved to another goal is reported as what it is. Text changes
come as word diffs; assessments as from → to with better or worse on the scale.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from dataclasses import field as default
from pathlib import Path
from typing import Any

from malpl.model import Config, FollowUp, Goal, Measure, Target
from malpl.repository import Repository, natural_key

_TOKENS = re.compile(r"\s+|\S+\s*")  # a word with the space after it


@dataclass
class Change:
    """One change. ``words`` is a word diff: a list of (op, text), op one of = - +."""

    kind: str  # goal, target, measure, followup, config
    action: str  # added, removed, changed, moved
    id: str
    field: str = ""
    old: Any = None
    new: Any = None
    words: list[tuple[str, str]] = default(default_factory=list)
    direction: str = ""  # better, worse (assessments and forecasts)
    period: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Words (and the spaces between them) kept, removed and added."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    result: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(("=", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            result.append(("-", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            result.append(("+", "".join(b[j1:j2])))
    return result


class _Differ:
    def __init__(self, old: Repository, new: Repository) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.changes.append(Change(*args, **kwargs))

    def text(self, kind: str, ident: str, name: str, old: str | None, new: str | None,
             period: str = "") -> None:
        if old == new:
            return
        words = word_diff(old, new) if old and new else []
        self.add(kind, "changed", ident, name, old, new, words, period=period)

    def value(self, kind: str, ident: str, name: str, old: Any, new: Any,
              period: str = "") -> None:
        if old != new:
            self.add(kind, "changed", ident, name, old, new, period=period)

    # --- configuration -------------------------------------------------------------------
    def config(self) -> None:
        old, new = self.old.config.model_dump(), self.new.config.model_dump()
        for key in new:
            if old.get(key) != new[key]:
                self.add("config", "changed", "malpl.yaml", key, old.get(key), new[key])

    # --- goals, targets, measures --------------------------------------------------------
    def run(self) -> list[Change]:
        self.config()
        old_goals = {g.id: g for g in self.old.goals}
        new_goals = {g.id: g for g in self.new.goals}
        for ident in sorted(old_goals.keys() | new_goals.keys(), key=natural_key):
            before, after = old_goals.get(ident), new_goals.get(ident)
            if before is None:
                self.add("goal", "added", ident, "title", None, after.title)  # type: ignore[union-attr]
            elif after is None:
                self.add("goal", "removed", ident, "title", before.title, None)
            else:
                self.goal(before, after)
        self.targets(old_goals, new_goals)
        self.measures(old_goals, new_goals)
        return self.changes

    def goal(self, old: Goal, new: Goal) -> None:
        for name in ("title", "description"):
            self.text("goal", new.id, name, getattr(old, name), getattr(new, name))
        for name in ("level", "parent", "responsible"):
            self.value("goal", new.id, name, getattr(old, name), getattr(new, name))

    def targets(self, old_goals: dict[str, Goal], new_goals: dict[str, Goal]) -> None:
        old = {t.id: (g, t) for g in old_goals.values() for t in g.targets}
        new = {t.id: (g, t) for g in new_goals.values() for t in g.targets}
        for ident in sorted(old.keys() | new.keys(), key=natural_key):
            if ident not in old:
                target = new[ident][1]
                self.add("target", "added", ident, "text", None, target.text)
                for period, follow in target.followups.items():
                    self.followup(ident, period, None, follow)
            elif ident not in new:
                self.add("target", "removed", ident, "text", old[ident][1].text, None)
            else:
                (old_goal, before), (new_goal, after) = old[ident], new[ident]
                if old_goal.id != new_goal.id:
                    self.add("target", "moved", ident, "goal", old_goal.id, new_goal.id)
                self.target(before, after)

    def target(self, old: Target, new: Target) -> None:
        self.text("target", new.id, "text", old.text, new.text)
        self.value("target", new.id, "responsible", old.responsible, new.responsible)
        self.value("target", new.id, "target",
                   old.target.model_dump() if old.target else None,
                   new.target.model_dump() if new.target else None)
        for period in sorted(old.followups.keys() | new.followups.keys()):
            self.followup(new.id, period, old.followups.get(period), new.followups.get(period))

    def followup(self, ident: str, period: str, old: FollowUp | None, new: FollowUp | None
                 ) -> None:
        if new is None:
            self.add("followup", "removed", ident, "comment", old.comment if old else None, None,
                     period=period)
            return
        if old is None:
            self.add("followup", "added", ident, "comment", None, new.comment, period=period)
            old = FollowUp(comment=new.comment)  # the comment is in the line above
        self.text("followup", ident, "comment", old.comment, new.comment, period)
        for name in ("assessment", "forecast"):
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                self.add("followup", "changed", ident, name, before, after, period=period,
                         direction=_direction(self.new.config, before, after))
        self.value("followup", ident, "ready", old.ready, new.ready, period)
        self.value("followup", ident, "value", old.value, new.value, period)

    def measures(self, old_goals: dict[str, Goal], new_goals: dict[str, Goal]) -> None:
        old = {m.id: m for g in old_goals.values() for m in g.measures}
        new = {m.id: m for g in new_goals.values() for m in g.measures}
        for ident in sorted(old.keys() | new.keys(), key=natural_key):
            if ident not in old:
                self.add("measure", "added", ident, "name", None, new[ident].name)
            elif ident not in new:
                self.add("measure", "removed", ident, "name", old[ident].name, None)
            else:
                self.measure(old[ident], new[ident])

    def measure(self, old: Measure, new: Measure) -> None:
        self.text("measure", new.id, "name", old.name, new.name)
        for name in ("unit", "direction", "source", "kpi", "baseline", "note"):
            self.value("measure", new.id, name, getattr(old, name), getattr(new, name))
        self.value("measure", new.id, "target",
                   old.target.model_dump() if old.target else None,
                   new.target.model_dump() if new.target else None)
        for series in ("values", "forecasts"):
            before, after = getattr(old, series), getattr(new, series)
            for key in sorted(before.keys() | after.keys()):
                b, a = _plain(before.get(key)), _plain(after.get(key))
                if b != a:
                    self.add("measure", "changed", new.id, series, b, a, period=key)
        refs = old.references.keys() | new.references.keys()
        for ref in sorted(refs):
            b = old.references[ref].model_dump() if ref in old.references else None
            a = new.references[ref].model_dump() if ref in new.references else None
            if b != a:
                self.add("measure", "changed", new.id, f"references.{ref}", b, a)


def _plain(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value


def _direction(config: Config, old: str | None, new: str | None) -> str:
    before, after = config.rank(old), config.rank(new)
    if before is None or after is None or before == after:
        return ""
    return "better" if after < before else "worse"


def diff(old: Repository, new: Repository) -> list[Change]:
    return _Differ(old, new).run()


def touches(change: Change, ident: str, repo: Repository) -> bool:
    """Does a change concern a goal (with its targets and measures) or a target?"""
    if change.id == ident:
        return True
    goal = repo.goal(ident)
    if goal is None:
        return False
    return change.id in {t.id for t in goal.targets} | {m.id for m in goal.measures}


# --- presentation ------------------------------------------------------------------------

_NAMES = {"goal": "goal", "target": "target", "measure": "measure", "followup": "target",
          "config": "configuration"}


def _label(config: Config, key: Any) -> str:
    step = config.step(key) if isinstance(key, str) else None
    if step is not None:
        return f"{step.symbol} {step.label}"
    return config.labels.unassessed if key is None else str(key)


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _words_text(words: list[tuple[str, str]]) -> str:
    return "".join(t if op == "=" else f"[-{t}-]" if op == "-" else f"{{+{t}+}}"
                   for op, t in words)


def describe(change: Change, config: Config, words: Any = _words_text,
             quote: Any = str) -> str:
    """One line for a change; ``words`` renders word diffs, ``quote`` user text."""
    where = f"{_NAMES[change.kind]} {change.id}"
    if change.period:
        where += f" {change.period}"
    if change.kind == "followup" and change.action == "added":
        return f"{where}: new follow-up" + (f": {quote(change.new)}" if change.new else "")
    if change.action in ("added", "removed"):
        text = change.new if change.action == "added" else change.old
        return f"{where} {change.action}: {quote(text)}" if text else f"{where} {change.action}"
    if change.action == "moved":
        return f"{where} moved from goal {change.old} to goal {change.new}"
    if change.field in ("assessment", "forecast"):
        trend = f" ({change.direction})" if change.direction else ""
        return (f"{where} {change.field}: {_label(config, change.old)} → "
                f"{_label(config, change.new)}{trend}")
    if change.words:
        return f"{where} {change.field}: {words(change.words)}"
    if isinstance(change.old, str) or isinstance(change.new, str):
        return f"{where} {change.field}: {quote(_value(change.old))} → {quote(_value(change.new))}"
    return f"{where} {change.field}: {_value(change.old)} → {_value(change.new)}"


def format_text(changes: list[Change], config: Config) -> str:
    if not changes:
        return "No changes in the goals."
    return "\n".join(describe(c, config) for c in changes)


def format_markdown(changes: list[Change], config: Config, title: str) -> str:
    """A pull-request comment: grouped by kind, word diffs as ~~removed~~ **added**."""
    from malpl.markdown import escape

    def words(parts: list[tuple[str, str]]) -> str:
        out = []
        for op, text in parts:
            core = escape(text)
            if not core:
                out.append(" " if text else "")
            elif op == "=":
                out.append(text[: len(text) - len(text.lstrip())] + core
                           + text[len(text.rstrip()):])
            else:
                mark = "~~" if op == "-" else "**"
                out.append(text[: len(text) - len(text.lstrip())] + mark + core + mark
                           + text[len(text.rstrip()):])
        return "".join(out)

    lines = [f"## {escape(title)}", ""]
    if not changes:
        return "\n".join([*lines, "No changes in the goals.", ""])
    groups = (("config", "Configuration"), ("goal", "Goals"), ("target", "Targets"),
              ("followup", "Follow-ups"), ("measure", "Measures"))
    for kind, heading in groups:
        chosen = [c for c in changes if c.kind == kind]
        if chosen:
            lines += [f"### {heading} ({len(chosen)})", ""]
            lines += [f"- {describe(c, config, words, escape)}" for c in chosen]
            lines.append("")
    return "\n".join(lines)


@dataclass
class DiffResult:
    old: str
    new: str
    changes: list[Change]
    notes: list[str]
    config: Config

    def as_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "notes": self.notes,
                "changes": [c.as_dict() for c in self.changes]}

    @property
    def title(self) -> str:
        return f"Goal changes {self.old}..{self.new or 'working tree'}"


def _notes(repo: Repository, rev: str) -> list[str]:
    """Problems that kept files of a revision out of the comparison, naming both."""
    from malpl.checks import validate
    from malpl.problems import format_text as problem_text

    where = rev or "working tree"
    return [f"{where}: {problem_text(p).splitlines()[0]}"
            for p in validate(repo) if p.is_error]


def diff_revisions(root: Path, spec: str | None = None) -> DiffResult:
    """``None``: HEAD against the working tree; ``A``: A against it; ``A..B``: A against B."""
    from malpl import git

    if spec and ".." in spec:
        old_rev, new_rev = spec.split("..", 1)
        old_rev, new_rev = old_rev or "HEAD", new_rev or "HEAD"
    else:
        old_rev, new_rev = spec or "HEAD", git.WORKTREE
    old, new = git.load_revision(root, old_rev), git.load_revision(root, new_rev)
    return DiffResult(old_rev, new_rev, diff(old, new), _notes(old, old_rev) + _notes(new, new_rev),
                      new.config)


@dataclass
class LogEntry:
    commit: Any  # git.Commit
    changes: list[Change]


def history(root: Path, ident: str) -> list[LogEntry]:
    """Each commit that changed a goal or target, newest first, with what it changed."""
    from malpl import git

    entries = []
    cache: dict[str | None, Repository] = {}

    def at(rev: str | None) -> Repository:
        if rev not in cache:
            cache[rev] = (git.load_revision(root, rev) if rev
                          else build_empty(root))
        return cache[rev]

    known = False
    for commit in git.commits(root):
        new, old = at(commit.sha), at(commit.parent)
        known = known or _knows(new, ident) or _knows(old, ident)
        changes = [c for c in diff(old, new)
                   if touches(c, ident, new) or touches(c, ident, old)]
        if changes:
            entries.append(LogEntry(commit, changes))
        cache.pop(commit.sha, None)  # history is walked newest first: never needed again
    if not known:
        from malpl.repository import MalplError

        raise MalplError(f"no goal or target with the id '{ident}' in the history",
                         "goal ids look like 1.1 and target ids like 1.1.1")
    return entries


def _knows(repo: Repository, ident: str) -> bool:
    return repo.goal(ident) is not None or any(
        t.id == ident for g in repo.goals for t in g.targets)


def build_empty(root: Path) -> Repository:
    from malpl.repository import build_repository

    return build_repository(root, None, [])
