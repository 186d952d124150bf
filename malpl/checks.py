"""Rules that span files or depend on the configuration.

Each check is a pure function ``check_xxx(repo) -> list[Problem]`` and is listed
in :data:`CHECKS`; :func:`validate` runs them all. The per-file shape of the data
is already enforced by the models while loading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import msgspec

from malpl import indicators
from malpl.i18n import N_, _
from malpl.kolada import ids as kolada_ids
from malpl.kolada.data import own_series
from malpl.model import UNASSESSED_SYMBOL, FollowUp, Goal, KoladaCompare, Measure
from malpl.periods import PeriodError, parse_period, parse_point
from malpl.problems import Problem
from malpl.repository import Repository, relative, yaml_files
from malpl.sources import WorkTree
from malpl.text import invisible_characters
from malpl.yamlsource import Path_, Source

Check = Callable[[Repository], list[Problem]]
_ID = re.compile(r"[\w.:\-]+")
ID_MAX_LENGTH = 40  # ids are written on every row and in file names; "6.10.2" is typical


def _measures(repo: Repository) -> Iterator[tuple[Goal, int, Measure]]:
    for goal in repo.goals:
        for i, measure in enumerate(goal.measures):
            yield goal, i, measure


def _num(value: float) -> str:
    """A number as it was most likely written in YAML: 80, not 80.0."""
    return f"{value:g}"


def _did_you_mean(value: str, choices: dict[str, str]) -> str:
    """Match a key or a label (case-insensitive) to the key it most likely means."""
    lowered = {k.casefold(): k for k in choices} | {v.casefold(): k for k, v in choices.items()}
    if value.casefold() in lowered:
        return lowered[value.casefold()]
    import difflib  # only when something is misspelt

    close = difflib.get_close_matches(value.casefold(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else ""


#: What has an id, and what is said about it: (give each … its own id, bad characters,
#: too long); one message each, so that the Swedish can say each in its own words.
WHAT: dict[str, tuple[str, str, str]] = {
    "goal": (N_("give each goal its own id"),
             N_("the goal id {ident} has characters ids cannot hold"),
             N_("the goal id is {length} characters long")),
    "target": (N_("give each target its own id"),
               N_("the target id {ident} has characters ids cannot hold"),
               N_("the target id is {length} characters long")),
    "measure": (N_("give each measure its own id"),
                N_("the measure id {ident} has characters ids cannot hold"),
                N_("the measure id is {length} characters long")),
}


def id_fault(ident: str, what: str) -> tuple[str, str] | None:
    """What is wrong with an id (message, hint), or None: the one rule, for ``check`` and
    for the commands that write an id."""
    if not _ID.fullmatch(ident):
        return (_(WHAT[what][1]).format(ident=repr(ident)),
                _("use letters, digits, '.', ':', '-' and '_' only, such as \"1.1.2\" or \"1:2\""))
    if len(ident) > ID_MAX_LENGTH:
        return (_(WHAT[what][2]).format(length=len(ident)),
                _("ids are short numbers such as \"1.1.2\"; use at most {most} characters and "
                  "put the words in the title").format(most=ID_MAX_LENGTH))
    return None


def check_ids(repo: Repository) -> list[Problem]:
    """Goal and target ids share one namespace (``malpl show ID``); measures have their own."""
    problems = []
    spaces: dict[str, dict[str, tuple[str, int]]] = {"goal": {}, "measure": {}}

    def claim(goal: Goal, path: Path_, ident: str, space: str, what: str) -> None:
        line = goal.source.where(path)[0]
        fault = id_fault(ident, what)
        if fault:
            problems.append(goal.source.problem(path, "invalid-id", *fault))
        seen = spaces[space]
        if ident in seen:
            where, at = seen[ident]
            problems.append(goal.source.problem(
                path, "duplicate-id", _("the id '{ident}' is already used ({where}:{line})").format(
                    ident=ident, where=where, line=at), _(WHAT[what][0])))
        else:
            seen[ident] = (goal.source.path, line)

    for goal in repo.goals:
        claim(goal, ("id",), goal.id, "goal", "goal")
        for i, target in enumerate(goal.targets):
            claim(goal, ("targets", i, "id"), target.id, "goal", "target")
        for i, measure in enumerate(goal.measures):
            claim(goal, ("measures", i, "id"), measure.id, "measure", "measure")
    return problems


def check_levels(repo: Repository) -> list[Problem]:
    levels = {lv.key: lv.label for lv in repo.config.levels}
    problems = []
    for goal in repo.goals:
        if goal.level not in levels:
            guess = _did_you_mean(goal.level, levels)
            hint = _("did you mean '{guess}'?").format(guess=guess) + " " if guess else ""
            problems.append(goal.source.problem(
                ("level",), "unknown-level", _("unknown level '{level}'").format(level=goal.level),
                hint + _("levels are set under `levels` in malpl.yaml: {keys}").format(
                    keys=", ".join(levels))))
    return problems


def check_bodies(repo: Repository) -> list[Problem]:
    """Every goal belongs to a configured body, by its ``body:`` key or its folder."""
    bodies = {b.key: b.name for b in repo.config.body_list()}
    listing = ", ".join(bodies)
    problems = []
    for goal in repo.goals:
        if goal.body_key in bodies:
            continue
        if goal.body is not None:
            guess = _did_you_mean(goal.body, bodies) or _did_you_mean(
                goal.body, {k: name.split()[0] for k, name in bodies.items()})
            problems.append(goal.source.problem(
                ("body",), "unknown-body", _("unknown body '{body}'").format(body=goal.body),
                (_("did you mean '{guess}'?").format(guess=guess) + " " if guess else "")
                + _("bodies are listed under 'bodies' in malpl.yaml: {keys}").format(
                    keys=listing)))
        elif goal.body_key:
            problems.append(goal.source.problem(
                (), "unknown-body",
                _("the folder goals/{folder}/ names no body").format(folder=goal.body_key),
                _("name the folder after a body key in malpl.yaml ({keys}), add the body "
                  "under 'bodies', or write 'body: KEY' in the file").format(keys=listing)))
        else:
            problems.append(goal.source.problem(
                (), "unknown-body", _("the goal belongs to no body"),
                _("move the file into a folder named after its body ({keys}) or write "
                  "'body: KEY' in it").format(keys=listing)))
    return problems


def check_parents(repo: Repository) -> list[Problem]:
    """A parent is a goal (in any body) on a higher level, never a target or the goal itself."""
    order = {lv.key: i for i, lv in enumerate(repo.config.levels)}
    targets = {t.id: g for g in repo.goals for t in g.targets}
    problems = []
    for goal in repo.goals:
        listed = isinstance(goal.parent, list)
        for i, ident in enumerate(goal.parents):
            path: Path_ = ("parent", i) if listed else ("parent",)
            parent = repo.goal(ident)
            if parent is None and ident in targets:
                problems.append(_target_as_parent(goal, path, ident, targets[ident], order))
            elif parent is None and ident in repo.unloaded:
                continue  # that goal's file did not load, and says why
            elif parent is None:
                problems.append(goal.source.problem(
                    path, "unknown-reference",
                    _("parent goal '{ident}' does not exist").format(ident=ident),
                    _("write the id of a goal in goals/ (of any body), or remove it")))
            elif parent is goal:
                problems.append(goal.source.problem(
                    path, "unknown-reference", _("a goal cannot be its own parent"),
                    _("write the id of the higher goal this one serves")))
            elif order.get(parent.level, -1) >= order.get(goal.level, len(order)):
                problems.append(goal.source.problem(
                    path, "parent-level",
                    _("parent '{parent}' ({parent_level}) is not on a higher level than this "
                      "goal ({level})").format(parent=parent.id, parent_level=parent.level,
                                               level=goal.level),
                    _("a goal serves a goal on a higher level; check 'level' in both files")))
    return problems


def _target_as_parent(goal: Goal, path: Path_, ident: str, owner: Goal,
                      order: dict[str, int]) -> Problem:
    """A parent that is a target: name its goal, and offer that goal only where it could be
    the parent (on a higher level, and not this goal itself)."""
    if owner is goal:
        message = _("'{ident}' is a target of this goal, not a goal: a parent is a goal on a "
                    "higher level that this goal serves")
        hint = _("write the id of that higher goal, or remove 'parent'")
    elif order.get(owner.level, -1) < order.get(goal.level, len(order)):
        message = _("'{ident}' is a target of goal {goal}, not a goal: a parent is a goal")
        hint = _("write '{goal}' to serve the goal the target belongs to, or make '{ident}' a "
                 "goal of its own")
    else:
        message = _("'{ident}' is a target of goal {goal}, not a goal: a parent is a goal on "
                    "a higher level")
        hint = _("write the id of a goal on a higher level, or make '{ident}' a goal of its own")
    return goal.source.problem(path, "unknown-reference",
                               message.format(ident=ident, goal=owner.id),
                               hint.format(ident=ident, goal=owner.id))


def followups(goal: Goal) -> Iterator[tuple[Path_, str, dict[str, FollowUp]]]:
    """Every follow-up mapping in a goal file: the goal's own, each target's and each
    indicator's (a measure with ``assessed: true``)."""
    yield (), goal.id, goal.followups
    for i, target in enumerate(goal.targets):
        yield ("targets", i), target.id, target.followups
    for i, measure in enumerate(goal.measures):
        if measure.assessed or measure.followups:
            yield ("measures", i), measure.id, measure.followups


def _check_point(goal: Goal, path: Path_, key: str, scheme: str, *, period_only: bool = False,
                 key_position: bool = True) -> list[Problem]:
    try:
        (parse_period if period_only else parse_point)(key, scheme)
    except PeriodError as err:
        return [goal.source.problem(path, "invalid-period", str(err), err.hint,
                                    key=key_position)]
    return []


def check_periods(repo: Repository) -> list[Problem]:
    """Follow-ups are keyed by period; measure series and deadlines by year or period."""
    scheme = repo.config.periods.scheme
    problems: list[Problem] = []
    for i, key in enumerate(repo.config.periods.closed):
        try:
            parse_period(key, scheme)
        except PeriodError as err:
            assert repo.config_source is not None  # only a file can close a period
            problems.append(repo.config_source.problem(("periods", "closed", i),
                                                       "invalid-period", str(err), err.hint))
    for b, body in enumerate(repo.config.bodies):  # a body's summaries, by period
        for key in body.summaries:
            try:
                parse_period(key, scheme)
            except PeriodError as err:
                assert repo.config_source is not None  # only a file lists bodies
                problems.append(repo.config_source.problem(
                    ("bodies", b, "summaries", key), "invalid-period", str(err), err.hint,
                    key=True))
    for goal in repo.goals:
        for base, _ident, follow in followups(goal):
            for key in follow:
                problems += _check_point(goal, (*base, "followups", key), key, scheme,
                                         period_only=True)
        starts = [((), goal.start)] + [(("targets", i), t.start) for i, t in enumerate(goal.targets)]
        for base, start in starts:
            if start is not None:
                problems += _check_point(goal, (*base, "start"), start, scheme, period_only=True,
                                         key_position=False)
        for i, target in enumerate(goal.targets):
            if target.target and target.target.by is not None:
                problems += _check_point(goal, ("targets", i, "target", "by"),
                                         target.target.by, scheme, key_position=False)
        for i, measure in enumerate(goal.measures):
            base = ("measures", i)
            for series in ("values", "women", "men", "forecasts", "missing", "breaks", "trends"):
                for key in getattr(measure, series):
                    problems += _check_point(goal, (*base, series, key), key, scheme)
            for name, ref in measure.references.items():
                for key in ref.values:
                    problems += _check_point(
                        goal, (*base, "references", name, "values", key), key, scheme)
            if measure.target and measure.target.by is not None:
                problems += _check_point(goal, (*base, "target", "by"), measure.target.by,
                                         scheme, key_position=False)
    return problems


def check_assessments(repo: Repository) -> list[Problem]:
    scale = {s.key: s.label for s in repo.config.scale}
    problems = []
    for goal in repo.goals:
        for base, _ident, follows in followups(goal):
            for period, follow in follows.items():
                for name in ("assessment", "forecast"):
                    value = getattr(follow, name)
                    if value is None or value in scale:
                        continue
                    guess = _did_you_mean(value, scale)
                    hint = _("did you mean '{guess}'?").format(guess=guess) + " " if guess else ""
                    problems.append(goal.source.problem(
                        (*base, "followups", period, name), "unknown-assessment",
                        _("'{value}' is not on the assessment scale").format(value=value),
                        hint + _("write one of: {keys} (or leave it out: not assessed)").format(
                            keys=", ".join(scale))))
    return problems


def _is_percent(unit: str | None) -> bool:
    return unit is not None and unit.strip() in {"%", "procent"}


def check_measure_values(repo: Repository) -> list[Problem]:
    """Values are numbers already (the model); here: percentages and ranges make sense."""
    problems = []
    for goal, i, measure in _measures(repo):
        base: Path_ = ("measures", i)
        series: list[tuple[Path_, float]] = [
            ((*base, "values", k), v) for k, v in measure.values.items() if v is not None]
        for key, value in measure.forecasts.items():
            if isinstance(value, (int, float)):
                series.append(((*base, "forecasts", key), value))
                continue
            path = (*base, "forecasts", key)
            series += [((*path, "low"), value.low), ((*path, "high"), value.high)]
            if value.low > value.high:
                problems.append(goal.source.problem(
                    path, "invalid-range",
                    _("the range {low}–{high} runs backwards").format(
                        low=_num(value.low), high=_num(value.high)),
                    _("write the lower value as 'low' and the higher as 'high'"), key=True))
        for name, ref in measure.references.items():
            series += [((*base, "references", name, "values", k), v)
                       for k, v in ref.values.items() if v is not None]
        if _is_percent(measure.unit):
            for path, value in series:
                if not 0 <= value <= 100:
                    problems.append(goal.source.problem(
                        path, "value-range",
                        _("{number} is not a percentage (0–100)").format(number=_num(value)),
                        _("write the share in per cent, e.g. 79.2 for 79,2 %")))
    return problems


def check_measure_links(repo: Repository) -> list[Problem]:
    problems = []
    for goal, i, measure in _measures(repo):
        base: Path_ = ("measures", i)
        if measure.baseline is not None and measure.baseline not in measure.values:
            problems.append(goal.source.problem(
                (*base, "baseline"), "unknown-reference",
                _("the baseline '{baseline}' is not a key in 'values'").format(
                    baseline=measure.baseline),
                _("add the baseline's value under 'values', or name a key that is there: "
                  "{keys}").format(keys=", ".join(measure.values) or _("(values is empty)"))))
        target = measure.target
        if target and target.reference and target.reference not in measure.references \
                and not _kolada_comparison(repo, measure, target.reference):
            problems.append(goal.source.problem(
                (*base, "target", "reference"), "unknown-reference",
                _("the target refers to '{reference}', which is not under 'references'").format(
                    reference=target.reference),
                _("add it under 'references', or name one that is there: {keys}").format(
                    keys=", ".join(measure.references) or _("(references is empty)"))))
        if measure.source == "kolada" and not measure.kpi:
            problems.append(goal.source.problem(
                (*base, "source"), "missing-field", _("a Kolada measure needs its 'kpi' id"),
                _("add 'kpi: N15428' (the id shown on kolada.se)")))
        if measure.kpi and not kolada_ids.is_kpi(measure.kpi):
            problems.append(goal.source.problem(
                (*base, "kpi"), "invalid-value",
                _("'{kpi}' is not a Kolada KPI id").format(kpi=measure.kpi),
                _(kolada_ids.KPI_HINT)))
        if target and _is_percent(measure.unit):
            for bound in ("value", "min", "max", "above", "below"):
                number = getattr(target, bound)
                if number is not None and not 0 <= number <= 100:
                    problems.append(goal.source.problem(
                        (*base, "target", bound), "value-range",
                        _("the target {number} is not a percentage (0–100)").format(
                            number=_num(number)),
                        _("write the share in per cent, e.g. 85 for 85 %")))
        if target and target.min is not None and target.max is not None \
                and target.min > target.max:
            problems.append(goal.source.problem(
                (*base, "target"), "invalid-range", _min_above_max(target.min, target.max),
                _("swap the two values")))
        for key in measure.missing:
            if measure.values.get(key) is not None:
                problems.append(goal.source.problem(
                    (*base, "missing", key), "invalid-value",
                    _("{key} has a value and also a reason why it is missing").format(key=key),
                    _("remove {key} from 'missing', or write '{key}: null' under 'values'").format(
                        key=key), key=True))
    return problems


def check_targets(repo: Repository) -> list[Problem]:
    """Structured targets ('minst 4 st under 2023') must be able to be met."""
    problems = []
    for goal in repo.goals:
        for i, target in enumerate(goal.targets):
            value = target.target
            if value is None:
                continue
            path: Path_ = ("targets", i, "target")
            if value.min is None and value.max is None:
                problems.append(goal.source.problem(
                    path, "missing-field", _("a target value needs 'min' or 'max'"),
                    _("write e.g. 'min: 4' for 'minst 4'")))
            if value.min is not None and value.max is not None and value.min > value.max:
                problems.append(goal.source.problem(
                    path, "invalid-range", _min_above_max(value.min, value.max),
                    _("swap the two values")))
            for bound in ("min", "max"):
                number = getattr(value, bound)
                if number is None:
                    continue
                if _is_percent(value.unit) and not 0 <= number <= 100:
                    problems.append(goal.source.problem(
                        (*path, bound), "value-range",
                        _("{number} is not a percentage (0–100)").format(number=_num(number)),
                        _("write the share in per cent")))
                elif number < 0 and value.unit in {"st", "stycken", "antal"}:
                    problems.append(goal.source.problem(
                        (*path, bound), "value-range",
                        _("a count cannot be {number}").format(number=_num(number)),
                        _("write a number of 0 or more")))
    return problems


def _kolada_comparison(repo: Repository, measure: Measure, name: str) -> bool:
    """Does a Kolada measure's target name one of its pulled comparisons (label or id)?"""
    compares = [*repo.config.kolada.compare, *measure.compare]
    return measure.source == "kolada" and any(name in (c.id, c.label) for c in compares)


def check_indicators(repo: Repository) -> list[Problem]:
    """An indicator is assessed by its rule: it needs one, follow-ups belong to indicators,
    and a hand-set assessment that contradicts the rule and the figures is a warning."""
    config, scheme = repo.config, repo.config.periods.scheme
    problems = []
    for goal, i, measure in _measures(repo):
        base: Path_ = ("measures", i)
        if measure.followups and not measure.assessed:
            problems.append(goal.source.problem(
                (*base, "followups"), "invalid-value",
                _("only an indicator (a measure with 'assessed: true') has follow-ups"),
                _("add 'assessed: true' and a target rule, or move the comment to the goal")))
            continue
        if not measure.assessed:
            continue
        if measure.target is None or not indicators.rule_text(measure):
            problems.append(goal.source.problem(
                (*base, "assessed"), "missing-field",
                _("an indicator needs a target rule to be assessed by"),
                _("add e.g. 'target: {min: 80}' (at least 80) or 'target: {above: 40}' (more "
                  "than 40); see docs/format.md")))
            continue
        for period, follow in measure.followups.items():
            if follow.assessment is None or config.step(follow.assessment) is None:
                continue
            try:
                found = indicators.verdict(config, measure, indicators.known_series(
                    measure.values, parse_period(period, scheme), scheme))
            except PeriodError:
                continue  # check_periods says so
            if found.key is not None and found.key != follow.assessment:
                problems.append(goal.source.problem(
                    (*base, "followups", period, "assessment"), "assessment-contradicts-rule",
                    _("'{given}' is set by hand, but the rule ({rule}) and the value {basis} "
                      "give '{computed}'").format(given=follow.assessment, rule=found.rule,
                                                  basis=found.basis, computed=found.key),
                    _("remove the assessment to use the rule's, or keep it on purpose and say "
                      "why in the comment"), severity="warning"))
    return problems


def check_duplicate_measures(repo: Repository) -> list[Problem]:
    """The same measure twice under one goal is probably a copy-paste slip (a warning)."""
    problems = []
    for goal in repo.goals:
        seen: dict[str, int] = {}
        for i, measure in enumerate(goal.measures):
            keys = [" ".join(measure.name.casefold().split())]
            if measure.kpi:
                keys.append(measure.kpi)
            for key in keys:
                if key in seen:
                    problems.append(goal.source.problem(
                        ("measures", i), "duplicate-measure",
                        _("the measure '{name}' is listed twice under goal {goal} (also measure "
                          "{other})").format(name=measure.name, goal=goal.id, other=seen[key] + 1),
                        _("remove one of them if they are the same measure"),
                        severity="warning"))
                    break
                seen[key] = i
    return problems


def check_ready(repo: Repository) -> list[Problem]:
    problems = []
    for goal in repo.goals:
        for base, ident, follows in followups(goal):
            for period, follow in follows.items():
                if follow.ready and not (follow.comment or "").strip():
                    problems.append(goal.source.problem(
                        (*base, "followups", period, "ready"), "ready-without-comment",
                        _("{ident} is marked ready for {period} but has no comment").format(
                            ident=ident, period=period),
                        _("write the comment, or set 'ready: false'"), severity="warning"))
    return problems


def check_config(repo: Repository) -> list[Problem]:
    """Keys in the scale and the levels must be unique, or goal files become ambiguous."""
    source = repo.config_source
    if source is None:
        return []
    problems = []
    for name, items in (("scale", repo.config.scale), ("levels", repo.config.levels),
                        ("bodies", repo.config.bodies)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.key in seen:
                problems.append(source.problem(
                    (name, i, "key"), "duplicate-id",
                    _("the key '{key}' appears twice in '{name}'").format(key=item.key, name=name),
                    _("give each entry its own key")))
            seen.add(item.key)
    problems += _unassessed_symbol(repo)
    scheme = repo.config.periods.scheme
    for period, day in repo.config.periods.dates.items():
        path: Path_ = ("periods", "dates", period)
        try:
            parse_period(period, scheme)
        except PeriodError as err:
            problems.append(source.problem(path, "invalid-period", str(err), err.hint, key=True))
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            problems.append(source.problem(
                path, "invalid-value", _("'{day}' is not a date").format(day=day),
                _('write the date as "2024-05-20" (year-month-day, in quotes)')))
    return problems


def _unassessed_symbol(repo: Repository) -> list[Problem]:
    """A step shown with the symbol of "not assessed" could not be told from it."""
    assert repo.config_source is not None
    unassessed = repo.config.labels.unassessed
    return [repo.config_source.problem(
        ("scale", i, "symbol"), "invalid-value",
        _("the symbol {symbol} of '{label}' is the one shown for \"{unassessed}\" (no "
          "assessment), so readers cannot tell them apart").format(
            symbol=UNASSESSED_SYMBOL, label=step.label, unassessed=unassessed),
        _("give the step a symbol of its own, such as ◆, ◇ or ◐")) for i, step in
        enumerate(repo.config.scale) if step.symbol.strip() == UNASSESSED_SYMBOL]


def _min_above_max(low: float, high: float) -> str:
    return _("min {min} is above max {max}").format(min=_num(low), max=_num(high))


def _strings(data: object, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def check_characters(repo: Repository) -> list[Problem]:
    """Control and bidi characters are shown, never obeyed; warn, since they are rarely meant."""
    sources = [g.source for g in repo.goals]
    if repo.config_source is not None:
        sources.append(repo.config_source)
    problems = []
    for source in sources:
        if not source.may_hide:
            continue
        for path, value in _strings(source.data):
            found = invisible_characters(value)
            if found:
                problems.append(source.problem(
                    path, "control-character",
                    _("the text holds invisible control characters ({found})").format(
                        found=", ".join(found[:3])),
                    _("they are shown as symbols such as ␛ in every output; remove them unless "
                      "they are meant"), severity="warning"))
    return problems


def _unknown_ids(repo: Repository) -> dict[str, str]:
    """Ids a pull found Kolada does not know, with the file that says so."""
    return {i: repo.kolada.path(kpi) for kpi, f in sorted(repo.kolada.files.items())
            for i in f.unknown}


def _compare_ids(source: Source, base: Path_, compares: list[KoladaCompare],
                 unknown: dict[str, str]) -> Iterator[Problem]:
    for j, compare in enumerate(compares):
        path: Path_ = (*base, j, "id")
        if not kolada_ids.is_entity(compare.id):
            yield source.problem(path, "invalid-value",
                                 _("'{id}' is not a Kolada municipality or group id").format(
                                     id=compare.id), _(kolada_ids.ENTITY_HINT))
        elif compare.id in unknown:
            yield source.problem(path, "kolada-unknown",
                                 _("Kolada does not know '{id}' ({file})").format(
                                     id=compare.id, file=unknown[compare.id]),
                                 _(kolada_ids.ENTITY_HINT))


def check_kolada(repo: Repository) -> list[Problem]:
    """Kolada ids must exist, Kolada measures must have been pulled, and an own value that
    differs from Kolada's is pointed out (the own value is the one shown)."""
    unknown = _unknown_ids(repo)
    problems = []
    if repo.config_source is not None:
        problems += _compare_ids(repo.config_source, ("kolada", "compare"),
                                 repo.config.kolada.compare, unknown)
    for goal, i, measure in _measures(repo):
        base: Path_ = ("measures", i)
        problems += _compare_ids(goal.source, (*base, "compare"), measure.compare, unknown)
        if measure.ou is not None and not kolada_ids.is_ou(measure.ou):
            problems.append(goal.source.problem(
                (*base, "ou"), "invalid-value",
                _("'{ou}' is not a Kolada unit id").format(ou=measure.ou),
                _("a unit id is V, two digits, E and digits, such as V15E226000301")))
        if measure.source != "kolada" or not kolada_ids.is_kpi(measure.kpi or ""):
            continue
        file = repo.kolada.get(measure.kpi)
        where = repo.kolada.path(measure.kpi or "")
        if file is None and (repo.kolada.files or not measure.values):
            # Hand-typed figures in a repository that has never pulled are not a mistake.
            problems.append(goal.source.problem(
                (*base, "kpi"), "kolada-not-pulled",
                _("the figures of {kpi} have not been pulled from Kolada").format(kpi=measure.kpi),
                _("run 'malpl kolada pull' and commit data/kolada/"), severity="warning"))
        elif file is None:
            continue
        elif not file.known:
            problems.append(goal.source.problem(
                (*base, "kpi"), "kolada-unknown",
                _("Kolada does not know {kpi} ({file})").format(kpi=measure.kpi, file=where),
                _(kolada_ids.KPI_HINT)))
        else:
            theirs = own_series(repo.config, measure, file)
            for year, own in measure.values.items():
                if own is not None and year in theirs and abs(theirs[year] - own) > 1e-9:
                    problems.append(goal.source.problem(
                        (*base, "values", year), "kolada-conflict",
                        _("{year} is {own} here and {theirs} in Kolada ({file}); the value here "
                          "is shown").format(year=year, own=_num(own), theirs=_num(theirs[year]),
                                             file=where),
                        _("remove the value here to show Kolada's, or keep it on purpose"),
                        severity="warning"))
    return problems


CHECKS: tuple[Check, ...] = (
    check_characters,
    check_config,
    check_ids,
    check_levels,
    check_bodies,
    check_parents,
    check_periods,
    check_assessments,
    check_measure_values,
    check_measure_links,
    check_targets,
    check_indicators,
    check_duplicate_measures,
    check_ready,
    check_kolada,
)


# The checks of what a file names, which also look at the goals of files that did not
# fit the format (``Repository.partial``): none of them faults a value for being absent,
# so leaving out what did not fit cannot make them say something false.
OF_NAMES: tuple[Check, ...] = (check_ids, check_levels, check_parents, check_periods,
                               check_assessments)


#: The checks that compare goals with each other. They read of a goal only its id, level,
#: body, parents, order and the ids of its targets and measures (and where those are
#: written): what :mod:`malpl.checkcache` keeps of a file. Every other check looks at one
#: goal at a time (with the configuration and the pulled figures), so what it finds in a
#: file can be kept with the file.
ACROSS_FILES: tuple[Check, ...] = (check_ids, check_parents)
ALONE: tuple[Check, ...] = tuple(c for c in CHECKS if c not in ACROSS_FILES)


def findings(repo: Repository, checks: Sequence[Check] = CHECKS) -> list[Problem]:
    """What ``checks`` find, before they are weighed against what loading said."""
    whole = msgspec.structs.replace(repo, goals=[*repo.goals, *repo.partial]) if repo.partial \
        else repo
    return [p for check in checks for p in check(whole if check in OF_NAMES else repo)]


def settle(loaded: list[Problem], found: list[Problem]) -> list[Problem]:
    """Every problem once, sorted; what loading refused is one mistake, not two."""
    said = {(p.path, p.line, p.column) for p in loaded}
    return sorted({*loaded, *(p for p in found if (p.path, p.line, p.column) not in said)})


def validate(repo: Repository) -> list[Problem]:
    """Run every check; return all problems (load problems included), sorted."""
    return settle(repo.problems, findings(repo))


class CheckResult(msgspec.Struct):
    """What ``malpl check`` found, and how much it looked at."""

    problems: list[Problem]
    files: int
    goals: int
    targets: int
    measures: int

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def summary(self) -> dict[str, int]:
        return {"files": self.files, "goals": self.goals, "targets": self.targets,
                "measures": self.measures, "errors": self.errors, "warnings": self.warnings}


def _expand(paths: Sequence[Path], root: Path) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found, refused = yaml_files(path, root)
            files += found
            problems += refused
        else:
            files.append(path)
    return files, problems


def check(root: Path, paths: Sequence[Path] = ()) -> CheckResult:
    """Check the whole repository; with ``paths``, report only problems in those files.

    The whole repository is always loaded, so that ids and references are
    checked against everything, not only the files named. What a file alone gives is kept
    in git's folder (:mod:`malpl.checkcache`), so that a second check reads again only the
    files that changed.
    """
    from malpl import checkcache

    files, refused = _expand(paths, root)
    checked = checkcache.load(WorkTree(root, files), lambda one: findings(one, ALONE))
    repo = checked.repo
    repo.problems += refused
    problems = settle(repo.problems, [*checked.found, *findings(repo, ACROSS_FILES)])
    if files:
        wanted = {relative(p, root) for p in files} | {p.path for p in refused}
        problems = [p for p in problems if p.path in wanted]
        goals = [g for g in repo.goals if g.source.path in wanted]
    else:
        goals = repo.goals
    return CheckResult(
        problems=problems,
        files=len(files) if files else repo.files,
        goals=len(goals),
        targets=sum(len(g.targets) for g in goals),
        measures=sum(len(g.measures) for g in goals),
    )
