"""What changed between two versions of the goals, in goal terms.

Goals, targets and measures are matched by id, never by file, so a renamed
file or a target moved to another goal is reported as what it is. Text changes
come as word diffs; assessments as from → to with better or worse on the scale.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as default
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from malpl import swedish
from malpl.i18n import N_, _
from malpl.model import Config, FollowUp, Goal, Measure, Target, plain
from malpl.repository import CONFIG_NAME, Repository, assign_body, natural_key
from malpl.text import visible, visible_name

if TYPE_CHECKING:
    from malpl.versions import Sides

_TOKENS = re.compile(r"\s+|\S+\s*")  # a word with the space after it


@dataclass
class Change:
    """One change. ``words`` is a word diff: a list of (op, text), op one of = - +."""

    kind: str  # goal, target, measure, followup, config, kolada
    action: str  # added, removed, changed, moved
    id: str
    field: str = ""
    old: Any = None
    new: Any = None
    words: list[tuple[str, str]] = default(default_factory=list)
    direction: str = ""  # better, worse (assessments and forecasts)
    period: str = ""
    subject: str = ""  # for a follow-up: "goal" or "target", whose follow-up it is

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
        # The line break a block (|) ends with is layout, not words: no change, not shown.
        old, new = (t.rstrip("\r\n") if t else t for t in (old, new))
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
        old, new = plain(self.old.config), plain(self.new.config)
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
                for period, follow in after.followups.items():  # type: ignore[union-attr]
                    self.followup(ident, period, None, follow, "goal")
            elif after is None:
                self.add("goal", "removed", ident, "title", before.title, None)
            else:
                self.goal(before, after)
        self.targets(old_goals, new_goals)
        self.measures(old_goals, new_goals)
        self.kolada()
        self.indicators(old_goals, new_goals)
        return self.changes

    def indicators(self, old_goals: dict[str, Goal], new_goals: dict[str, Goal]) -> None:
        """An indicator's assessment as the report shows it, per period it is followed up:
        set by hand, or given by its rule and its figures, so a value, a Kolada figure or a
        setting that flips it is a change of assessment."""
        for ident in sorted(old_goals.keys() & new_goals.keys(), key=natural_key):
            before, after = old_goals[ident], new_goals[ident]
            old_measures = {m.id: m for m in before.measures if m.assessed}
            for measure in (m for m in after.measures if m.assessed):
                previous = old_measures.get(measure.id)
                if previous is None:
                    continue
                for period in sorted(previous.followups.keys() | measure.followups.keys()):
                    was = _assessed(self.old, before, previous, period)
                    now = _assessed(self.new, after, measure, period)
                    if was != now:
                        self.add("followup", "changed", measure.id, "assessment", was, now,
                                 period=period, direction=_direction(self.new.config, was, now),
                                 subject="measure")

    def kolada(self) -> None:
        """Pulled figures: Kolada's revisions and deletions, one change per value."""
        from malpl.kolada.data import changes

        old, new = self.old.kolada.files, self.new.kolada.files
        for kpi in sorted(old.keys() | new.keys()):
            if kpi not in new or kpi not in old:
                action = "removed" if kpi not in new else "added"
                self.add("kolada", action, kpi, "file", old[kpi].title if kpi in old else None,
                         new[kpi].title if kpi in new else None)
                continue
            for c in changes(old.get(kpi), new[kpi]):
                name = c.name + ("" if c.gender == "T" else f" ({c.gender})")
                self.add("kolada", "changed", kpi, name, c.old, c.new, period=c.year)

    def goal(self, old: Goal, new: Goal) -> None:
        for name in ("title", "description"):
            self.text("goal", new.id, name, getattr(old, name), getattr(new, name))
        for name in ("level", "body", "order", "responsible"):
            self.value("goal", new.id, name, getattr(old, name), getattr(new, name))
        self.value("goal", new.id, "parent", old.parents, new.parents)
        for period in sorted(old.followups.keys() | new.followups.keys()):
            self.followup(new.id, period, old.followups.get(period), new.followups.get(period),
                          "goal")

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
        self.value("target", new.id, "target", plain(old.target), plain(new.target))
        for period in sorted(old.followups.keys() | new.followups.keys()):
            self.followup(new.id, period, old.followups.get(period), new.followups.get(period))

    def followup(self, ident: str, period: str, old: FollowUp | None, new: FollowUp | None,
                 subject: str = "target", *, assessed: bool = True) -> None:
        """``assessed``: compare the assessments written (False for an indicator, whose
        assessment is compared as the rule and the figures give it: :meth:`indicators`)."""
        start = len(self.changes)
        if new is None:
            self.add("followup", "removed", ident, "comment", old.comment if old else None, None,
                     period=period)
        else:
            if old is None:
                self.add("followup", "added", ident, "comment", None, new.comment, period=period)
                old = FollowUp(comment=new.comment)  # the comment is in the line above
            self.text("followup", ident, "comment", old.comment, new.comment, period)
            for name in ("assessment", "forecast") if assessed else ("forecast",):
                before, after = getattr(old, name), getattr(new, name)
                if before != after:
                    self.add("followup", "changed", ident, name, before, after, period=period,
                             direction=_direction(self.new.config, before, after))
            self.value("followup", ident, "ready", old.ready, new.ready, period)
            self.value("followup", ident, "value", old.value, new.value, period)
        for change in self.changes[start:]:
            change.subject = subject

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
                before, after = old[ident].followups, new[ident].followups
                for period in sorted(before.keys() | after.keys()):
                    self.followup(ident, period, before.get(period), after.get(period),
                                  "measure", assessed=not new[ident].assessed)

    def measure(self, old: Measure, new: Measure) -> None:
        self.text("measure", new.id, "name", old.name, new.name)
        for name in ("unit", "direction", "source", "kpi", "baseline", "note", "tolerance",
                     "assessed", "interval"):
            self.value("measure", new.id, name, getattr(old, name), getattr(new, name))
        self.value("measure", new.id, "target", plain(old.target), plain(new.target))
        for series in ("values", "women", "men", "forecasts", "missing", "breaks", "trends"):
            before, after = getattr(old, series), getattr(new, series)
            for key in sorted(before.keys() | after.keys()):
                b, a = plain(before.get(key)), plain(after.get(key))
                if b != a:
                    self.add("measure", "changed", new.id, series, b, a, period=key)
        refs = old.references.keys() | new.references.keys()
        for ref in sorted(refs):
            b, a = plain(old.references.get(ref)), plain(new.references.get(ref))
            if b != a:
                self.add("measure", "changed", new.id, f"references.{ref}", b, a)


def _assessed(repo: Repository, goal: Goal, measure: Measure, period: str) -> str | None:
    """An indicator's assessment in ``period`` as its row shows it (None: not assessed)."""
    from malpl.periods import PeriodError, parse_period
    from malpl.views import indicator_row

    try:
        point = parse_period(period, repo.config.periods.scheme)
    except PeriodError:
        return None  # check says so
    return indicator_row(repo, goal, measure, point).assessment.key


def _direction(config: Config, old: str | None, new: str | None) -> str:
    before, after = config.rank(old), config.rank(new)
    if before is None or after is None or before == after:
        return ""
    return "better" if after < before else "worse"


def diff(old: Repository, new: Repository) -> list[Change]:
    return _Differ(old, new).run()


# --- presentation ------------------------------------------------------------------------
# Every piece of a line that came from a file passes a style's ``quote`` (or
# ``words``) on its way in; only the fixed words of a line are written raw. Each fixed
# part is a whole message with named places ("{where} title"), never a bare word, so
# that its translation is its own and the language may order the parts as it needs.

_WHERE = {"goal": N_("goal {id}"), "target": N_("target {id}"), "measure": N_("measure {id}"),
          "config": N_("configuration {id}"), "kolada": N_("Kolada {id}")}
# The fields of goals, targets, follow-ups and measures by their YAML keys; a key of
# malpl.yaml, a reference series and a Kolada figure are shown as they are named.
_FIELDS = {
    "title": N_("{where} title"), "description": N_("{where} description"),
    "level": N_("{where} level"), "body": N_("{where} body"), "order": N_("{where} order"),
    "responsible": N_("{where} responsible"), "parent": N_("{where} parent"),
    "text": N_("{where} text"), "target": N_("{where} target"),
    "comment": N_("{where} comment"), "assessment": N_("{where} assessment"),
    "forecast": N_("{where} forecast"), "ready": N_("{where} ready"),
    "value": N_("{where} value"), "name": N_("{where} name"), "unit": N_("{where} unit"),
    "direction": N_("{where} direction"), "source": N_("{where} source"),
    "kpi": N_("{where} kpi"), "baseline": N_("{where} baseline"), "note": N_("{where} note"),
    "tolerance": N_("{where} tolerance"), "values": N_("{where} values"),
    "forecasts": N_("{where} forecasts"), "missing": N_("{where} missing"),
    "breaks": N_("{where} breaks"), "trends": N_("{where} trends"),
    "women": N_("{where} values for women"), "men": N_("{where} values for men"),
    "assessed": N_("{where} assessed"), "interval": N_("{where} interval"),
}
# A step of the scale from one to another: in words, because a step's symbol may itself
# be an arrow ("→ Oförändrad").
_STEPPED = {"better": N_("{field}: from {old} to {new}, better"),
            "worse": N_("{field}: from {old} to {new}, worse"),
            "": N_("{field}: from {old} to {new}")}
_GROUPS = (("config", N_("Configuration ({n})")), ("goal", N_("Goals ({n})")),
           ("target", N_("Targets ({n})")), ("followup", N_("Follow-ups ({n})")),
           ("measure", N_("Measures ({n})")), ("kolada", N_("Kolada ({n})")))
NEWLINE = " ⏎ "  # a line break in a value, shown, so that each change is one line


@dataclass(frozen=True)
class Style:
    """How one output shows text a person wrote: as one safe line of text or Markdown."""

    quote: Callable[[str], str]
    words: Callable[[list[tuple[str, str]]], str]


def one_line(text: str) -> str:
    """Text for a terminal line: breaks shown as ⏎, control characters made visible."""
    return visible(text.replace("\r\n", "\n").replace("\n", NEWLINE))


def _text_words(words: list[tuple[str, str]]) -> str:
    return "".join(one_line(t) if op == "=" else f"[-{one_line(t)}-]" if op == "-"
                   else f"{{+{one_line(t)}+}}" for op, t in words)


def _markdown_words(words: list[tuple[str, str]]) -> str:
    """~~removed~~ **added**; every word escaped, layout whitespace a single space."""
    from malpl.markdown import escape

    out = []
    for op, text in words:
        core = escape(text)
        before = " " if text[:1].isspace() else ""
        after = " " if text[-1:].isspace() and core else ""
        if not core:
            out.append(before)
            continue
        mark = "" if op == "=" else "~~" if op == "-" else "**"
        out.append(f"{before}{mark}{core}{mark}{after}")
    return "".join(out)


def _markdown_quote(text: str) -> str:
    from malpl.markdown import escape

    return escape(text)


def _text_quote(text: str) -> str:
    return one_line(text.rstrip("\r\n"))  # a block's last line break is layout


TEXT = Style(_text_quote, _text_words)
MARKDOWN = Style(_markdown_quote, _markdown_words)


def _label(config: Config, key: Any) -> str:
    """A step of the scale as "Label (symbol)": the label first, so that a symbol that is
    an arrow never reads as the change."""
    step = config.step(key) if isinstance(key, str) else None
    if step is not None:
        return f"{step.label} ({step.symbol})"
    return config.labels.unassessed if key is None else str(key)


def number(value: float) -> str:
    """A number with every digit the file holds, the Swedish way: ``0.951`` → ``0,951``,
    ``5200`` → ``5 200`` (a diff must show a change in the third decimal too)."""
    if not math.isfinite(value) or value.is_integer():
        return swedish.number(value, 0) if math.isfinite(value) else str(value)
    exponent = Decimal(repr(value)).as_tuple().exponent
    return swedish.number(value, max(0, -int(exponent)))


def value_text(value: Any) -> str:
    """Any value as readable text; mappings as "key: value", nested ones in brackets."""
    if value is None:
        return _("(none)")
    if isinstance(value, bool):  # as the goal file writes it, not as Python prints it
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_nested(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return "; ".join(_nested(v) for v in value)
    return str(value)


def _nested(value: Any) -> str:
    return f"({value_text(value)})" if isinstance(value, (dict, list, tuple)) else value_text(value)


def _where(change: Change, q: Callable[[str], str]) -> str:
    kind = change.subject or ("target" if change.kind == "followup" else change.kind)
    where = _(_WHERE[kind]).format(id=q(change.id))
    return f"{where} {q(change.period)}" if change.period else where


def _field(change: Change, where: str, q: Callable[[str], str]) -> str:
    named = change.kind not in ("config", "kolada") and change.field in _FIELDS
    return (_(_FIELDS[change.field]).format(where=where) if named
            else f"{where} {q(change.field)}")


def describe(change: Change, config: Config, style: Style = TEXT) -> str:
    """One line for a change, user text shown through ``style``."""
    q = style.quote
    where = _where(change, q)
    if change.kind == "followup" and change.action == "added":
        if change.new:
            return _("{where}: new follow-up: {text}").format(where=where,
                                                              text=q(value_text(change.new)))
        return _("{where}: new follow-up").format(where=where)
    if change.action in ("added", "removed"):
        text = change.new if change.action == "added" else change.old
        if change.action == "added":
            message = _("{where} added: {text}") if text else _("{where} added")
        else:
            message = _("{where} removed: {text}") if text else _("{where} removed")
        return message.format(where=where, text=q(value_text(text)) if text else "")
    if change.action == "moved":
        return _("{where} moved from goal {old} to goal {new}").format(
            where=where, old=q(change.old), new=q(change.new))
    field = _field(change, where, q)
    if change.field in ("assessment", "forecast"):
        return _(_STEPPED[change.direction]).format(
            field=field, old=q(_label(config, change.old)), new=q(_label(config, change.new)))
    if change.words:
        return f"{field}: {style.words(change.words)}"
    return f"{field}: {q(value_text(change.old))} → {q(value_text(change.new))}"


def no_changes() -> str:
    return _("No changes in the goals.")


def format_text(changes: list[Change], config: Config) -> str:
    if not changes:
        return no_changes()
    return "\n".join(describe(c, config) for c in changes)


def format_markdown(changes: list[Change], config: Config, title: str) -> str:
    """A pull-request comment: grouped by kind, word diffs as ~~removed~~ **added**."""
    lines = [f"## {MARKDOWN.quote(title)}", ""]
    if not changes:
        return "\n".join([*lines, no_changes(), ""])
    for kind, heading in _GROUPS:
        chosen = [c for c in changes if c.kind == kind]
        if chosen:
            lines += ["### " + _(heading).format(n=len(chosen)), ""]
            lines += [f"- {describe(c, config, MARKDOWN)}" for c in chosen]
            lines.append("")
    return "\n".join(lines)


@dataclass
class DiffResult:
    old: str
    new: str
    changes: list[Change]
    notes: list[str]
    config: Config
    range: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "range": self.range, "notes": self.notes,
                "changes": [c.as_dict() for c in self.changes]}

    @property
    def title(self) -> str:
        return _("Goal changes {range}").format(range=self.range)


def _notes(sides: Sides, names: tuple[str, str]) -> list[str]:
    """The errors that concern the comparison, each side's as it names them (a file of a
    revision is ``REV:path`` already): every error of a file that differs between the
    sides, and those of other files that one side has and the other has not (a parent
    that went, an id now taken twice). An error both sides share in a file the change
    left alone is for ``malpl check`` to say."""
    from malpl.checks import validate
    from malpl.problems import format_text as problem_text

    found = []
    for repo, name in zip((sides.old, sides.new), names, strict=True):
        prefix = f"{name}:" if name else ""
        found.append({p: (p.path.removeprefix(prefix), p.line, p.column, p.code)
                      for p in validate(repo) if p.is_error})
    notes = []
    for side, other, name in ((found[0], found[1], names[0]), (found[1], found[0], names[1])):
        where = "" if name else _("working tree: ")
        shared = set(other.values())
        notes += [one_line(f"{where}{problem_text(p).split(chr(10))[0]}")
                  for p, key in side.items() if key[0] in sides.changed or key not in shared]
    return notes


def owned_ids(repo: Repository, bodies: Sequence[str]) -> set[str]:
    """The ids of the goals of these bodies, with their targets, measures and KPIs."""
    goals = repo.goals_of(bodies)
    return ({g.id for g in goals} | {t.id for g in goals for t in g.targets}
            | {m.id for g in goals for m in g.measures}
            | {m.kpi for g in goals for m in g.measures if m.kpi})  # pulled Kolada figures


def diff_revisions(root: Path, spec: str | None = None,
                   bodies: Sequence[str] | None = None) -> DiffResult:
    """Compare two revisions as git does.

    ``None``: HEAD against the working tree; ``A``: A against it; ``A..B``: A
    against B; ``A...B``: the merge base of A and B against B. An empty side
    means HEAD.
    """
    from malpl import git

    old_rev, new_rev, spec = spec or "HEAD", git.WORKTREE, spec or "HEAD"
    old_name = old_rev
    shown = _("{revision}..working tree").format(revision=visible_name(spec))
    for separator in ("...", ".."):
        if separator in spec:
            a, b = (side or "HEAD" for side in spec.split(separator, 1))
            old_rev, new_rev, old_name = a, b, a
            shown = f"{visible_name(a)}{separator}{visible_name(b)}"
            if separator == "...":
                old_rev = git.merge_base(root, a, b)
                old_name = old_rev[:10]
            break
    for rev in (old_rev, new_rev):
        git.check_revision(rev)
    if new_rev == git.WORKTREE:
        git.prefix(root)  # fail early outside a git repository
    from malpl.sources import Revision, tree
    from malpl.versions import load_sides

    before, after = Revision(root, old_rev, old_name), tree(root, new_rev or None)
    sides = load_sides(before, after)
    old, new = sides.old, sides.new
    changes = diff(old, new)
    if bodies:
        from malpl.views import chosen_bodies

        chosen_bodies(new.config, list(bodies))
        ids = owned_ids(old, bodies) | owned_ids(new, bodies)
        changes = [c for c in changes if c.id in ids]
    return DiffResult(old_name, new_rev, changes, _notes(sides, (before.name, after.name)),
                      new.config, shown)


@dataclass
class LogEntry:
    commit: Any  # git.Commit
    changes: list[Change]
    notes: list[str] = default(default_factory=list)


def history(root: Path, ident: str | None, bodies: Sequence[str] | None = None
            ) -> list[LogEntry]:
    """Each commit that changed a goal or target, newest first, with what it changed.

    Only the files a commit changed are read, each version once (by blob id).
    A version that does not load is named in a note and the comparison skips
    over it to the last version that did; a shallow clone's first commit is
    named as the edge of what is known, not reported as adding everything.
    """
    from malpl import git

    if ident is None and not bodies:
        from malpl.repository import UsageError

        raise UsageError(_("say whose history to show"),
                         _("give a goal or target id (such as 1.1 or 1.1.1), or --body KEY"))
    from malpl.versions import ParseCache

    commits = git.commits(root)
    walk = _Walk(root, ident, git.shallow_commits(root), set(bodies or ()))
    with git.Blobs(root) as blobs:
        walk.cache = ParseCache(blobs)
        entries = [e for c in reversed(commits) if (e := walk.step(c)) is not None]
    if not walk.known and ident is not None:
        from malpl.repository import MalplError

        raise MalplError(_("no goal or target with the id '{id}' in the history").format(
                         id=visible_name(ident)),
                         _("goal ids look like 1.1 and target ids like 1.1.1"))
    return entries[::-1]


class _Walk:
    """History from the oldest commit on: per commit, the versions of the files it changed."""

    def __init__(self, root: Path, ident: str | None, shallow: set[str], bodies: set[str]
                 ) -> None:
        self.root, self.ident, self.shallow, self.bodies = root, ident, shallow, bodies
        self.cache: Any = None  # versions.ParseCache, set while git's blob reader runs
        self.known = False
        self.config = Config()  # the latest configuration that loaded
        # A version that did not load, (path, blob) → the last version that did.
        self.last_loaded: dict[tuple[str, str], Any] = {}

    def version(self, path: str, rev: str, mode: str, blob: str) -> Any:
        """The parsed version of ``path`` to compare, or None when there is none."""
        from malpl import git

        if blob == git.MISSING:
            return None
        parsed = self.cache.get(path, rev, mode, blob)
        return parsed if parsed.model is not None else self.last_loaded.get((path, blob))

    def step(self, commit: Any) -> LogEntry | None:
        short = commit.sha[:7]
        if commit.parent is None and commit.sha in self.shallow:
            return self.edge(commit, short)
        parent = (commit.parent or "")[:7]
        old_config, notes = self.config, []
        sides: tuple[list[Goal], list[Goal]] = ([], [])
        for f in self.files(commit, short):
            before = self.version(f.path, parent, f.old_mode, f.old_blob)
            self.note_unloaded(f, short, before, notes)
            after = self.version(f.path, short, f.new_mode, f.new_blob)
            for side, version in zip(sides, (before, after), strict=True):
                if version is not None and isinstance(version.model, Goal):
                    side.append(version.model)
                    self.known = self.known or self._concerns(version)
            if f.path == CONFIG_NAME:
                old_config = before.model if before is not None else Config()
                self.config = after.model if after is not None else Config()
        old = Repository(Path("."), old_config, sides[0])
        new = Repository(Path("."), self.config, sides[1])
        changes = [c for c in diff(old, new) if self.wanted(c, old, new)]
        return LogEntry(commit, changes, notes) if changes or notes else None

    def note_unloaded(self, f: Any, short: str, before: Any, notes: list[str]) -> None:
        """A new version that does not load: compare across it, and say so."""
        from malpl import git

        if f.new_blob == git.MISSING:
            return
        version = self.cache.get(f.path, short, f.new_mode, f.new_blob)
        if version.model is not None:
            return
        if before is not None:
            self.last_loaded[(f.path, f.new_blob)] = before
        if self._concerns(version) or (before is not None and self._concerns(before)):
            notes.append(_did_not_load(f.path, short, version, before is not None))

    def edge(self, commit: Any, short: str) -> LogEntry | None:
        """The oldest commit of a shallow clone: its files are the start, not additions."""
        concerned = False
        for f in self.files(commit, short):
            version = self.version(f.path, short, f.new_mode, f.new_blob)
            if version is not None and f.path == CONFIG_NAME:
                self.config = version.model
            elif version is not None:
                concerned = concerned or self._concerns(version)
        self.known = self.known or concerned
        if not concerned:
            return None
        return LogEntry(commit, [], [_("history is shallow before {commit}; earlier changes "
                                       "are not shown").format(commit=short)])

    def files(self, commit: Any, short: str) -> list[Any]:
        """The files of a commit to compare. A commit without a parent adds every file; of
        those, only malpl.yaml and the files that may name the id, or an id of a file
        that names it (a target, a measure), can give a change of the id's: found by
        git grep, so that the history of one goal does not parse the whole repository."""
        from malpl.versions import named, naming, plain

        if commit.parent is not None or self.ident is None or not plain({self.ident}):
            return commit.files
        paths = {f.path for f in commit.files}
        first = naming(self.root, commit.sha, {self.ident}) & paths
        ids = {self.ident}
        for f in commit.files:
            if f.path in first:
                ids |= named(self.cache.get(f.path, short, f.new_mode, f.new_blob).source)
        if not plain(ids):
            return commit.files
        found = first | naming(self.root, commit.sha, ids)
        return [f for f in commit.files if f.path == CONFIG_NAME or f.path in found]

    def wanted(self, change: Change, old: Repository, new: Repository) -> bool:
        if self.bodies:
            for repo in (old, new):
                for goal in repo.goals:
                    assign_body(goal, self.config)
            ids = owned_ids(old, list(self.bodies)) | owned_ids(new, list(self.bodies))
            if change.id not in ids:
                return False
        return self.ident is None or any(touches(change, self.ident, r) for r in (new, old))

    def _concerns(self, version: Any) -> bool:
        """Is the id this goal's, one of its targets', or (not loaded) written in it?"""
        model = version.model
        if self.ident is None:
            return isinstance(model, Goal)
        if isinstance(model, Goal):
            return model.id == self.ident or any(t.id == self.ident for t in model.targets)
        data = version.source.data
        if not isinstance(data, dict):
            return False
        targets = data.get("targets")
        ids = [t.get("id") for t in targets if isinstance(t, dict)] \
            if isinstance(targets, list) else []
        return self.ident in (str(data.get("id")), *map(str, ids))


def _did_not_load(path: str, short: str, version: Any, compared: bool) -> str:
    problem = next(p for p in version.source.problems if p.is_error)
    message = (_("{path} did not load at {commit}: line {line}: {problem}; compared with its "
                 "last version that loaded") if compared
               else _("{path} did not load at {commit}: line {line}: {problem}; left out until "
                      "it loads"))
    return one_line(message.format(path=path, commit=short, line=problem.line,
                                   problem=problem.message))


def touches(change: Change, ident: str, repo: Repository) -> bool:
    """Does a change concern a goal (with its targets and measures) or a target?"""
    if change.id == ident:
        return True
    goal = repo.goal(ident)
    if goal is None:
        return False
    return change.id in {t.id for t in goal.targets} | {m.id for m in goal.measures}
