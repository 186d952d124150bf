"""Load a goals repository: ``malpl.yaml`` (optional) and every file in ``goals/``.

This is the one load path every command uses. Loading never raises for bad
input: what cannot be read or does not fit the format becomes a problem, and
the goals that did load are still returned so that the cross-file checks can
run over them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

from malpl.errors import MalplError, UsageError
from malpl.kolada import store
from malpl.kolada.data import KoladaData
from malpl.layout import CONFIG_NAME, GOALS_DIR, KOLADA_DIR, YAML_SUFFIXES
from malpl.model import Config, Goal
from malpl.parsing import load_config, load_goal, parse_model, without_misfits
from malpl.problems import Problem
from malpl.sources import Tree, WorkTree, read_source, relative, tree, yaml_files
from malpl.yamlsource import Source

# Named here too for the modules that import them from the repository.
__all__ = ["CONFIG_NAME", "GOALS_DIR", "KOLADA_DIR", "YAML_SUFFIXES", "MalplError", "Repository",
           "UsageError", "load", "load_at", "load_goal", "load_repository", "parse_model", "read_config",
           "read_source", "relative", "yaml_files"]


class Repository(msgspec.Struct):
    root: Path
    config: Config
    goals: list[Goal] = msgspec.field(default_factory=list)
    problems: list[Problem] = msgspec.field(default_factory=list)
    files: int = 0
    config_source: Source | None = None
    kolada: KoladaData = msgspec.field(default_factory=KoladaData)  # pulled figures, data/kolada/
    #: The ids (as written) of goal files that did not load: their errors are already said.
    unloaded: list[str] = msgspec.field(default_factory=list)
    #: Those goals with what did not fit left out: for the checks of what a file names
    #: (:data:`malpl.checks.OF_NAMES`), never shown.
    partial: list[Goal] = msgspec.field(default_factory=list)

    _index: dict[str, Goal] = msgspec.field(default_factory=dict)
    _indexed: tuple[int, int] = (0, -1)  # (id, len) of that list

    def goal(self, goal_id: str) -> Goal | None:
        """A goal by id, through an index rebuilt whenever ``goals`` is replaced or grows."""
        if self._indexed != (id(self.goals), len(self.goals)):
            self._index = {}
            for goal in self.goals:
                self._index.setdefault(goal.id, goal)
            self._indexed = (id(self.goals), len(self.goals))
        return self._index.get(goal_id)

    def goals_of(self, bodies: Sequence[str] | None) -> list[Goal]:
        """The goals of these bodies (all when None), in report order."""
        if not bodies:
            return self.goals
        wanted = set(bodies)
        return [g for g in self.goals if g.body_key in wanted]


def natural_key(ident: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "1.2" before "1.10", "1:2" before "1:10" and "MO2" before "MO10", as people
    number goals: every run of ASCII digits compares as a number, wherever it stands.

    The id itself ends the key, tagged to sort before any further part, so that ids a
    number alone does not tell apart ("1.01", "1.1") still have one order, and "1"
    comes before "1.1"."""
    parts = re.findall(r"([0-9]+)|([^0-9.:\-_ ]+)", ident)
    return (*((0, int(digits)) if digits else (1, text) for digits, text in parts), (-1, ident))


def goal_order(config: Config) -> Callable[[Goal], tuple]:
    """Report order: the configured bodies, then levels (highest first), then ``order:``,
    then ids in natural order."""
    bodies = {b.key: i for i, b in enumerate(config.body_list())}
    levels = {lv.key: i for i, lv in enumerate(config.levels)}

    def key(goal: Goal) -> tuple:
        explicit = (0, goal.order) if goal.order is not None else (1, 0)
        return (bodies.get(goal.body_key, len(bodies)), levels.get(goal.level, len(levels)),
                explicit, natural_key(goal.id))

    return key


def folder_body(path: str) -> str | None:
    """The first folder under goals/ in a source path ('goals/tn/6.5.yaml' → 'tn')."""
    parts = path.split("/")
    for i, part in enumerate(parts):  # a git source is named 'REV:goals/…'
        if part == GOALS_DIR or part.endswith(":" + GOALS_DIR):
            rest = parts[i + 1:]
            return rest[0] if len(rest) > 1 else None
    return None


def assign_body(goal: Goal, config: Config) -> None:
    """A goal's body: its ``body:`` key, else its folder, else the only body there is.

    An unknown key is kept as it is, for :func:`malpl.checks.check_bodies` to report.
    """
    bodies = config.body_list()
    if goal.body is not None:
        goal._body = goal.body
    elif not config.bodies or len(bodies) == 1:
        goal._body = bodies[0].key
    else:
        goal._body = folder_body(goal.source.path) or ""


def read_config(root: Path) -> Config:
    """The configuration of the repository at ``root`` (defaults when absent or invalid)."""
    path = root / CONFIG_NAME
    return load_config(read_source(path, root) if path.is_file() else None)


def build_repository(root: Path, config_source: Source | None,
                     sources: Iterable[Source]) -> Repository:
    """Assemble a repository from sources, wherever they were read from (disk, git).

    Files under data/kolada/ are pulled figures, not goals."""
    sources = list(sources)
    repo = start_repository(root, config_source,
                            [s for s in sources if store.is_kolada_path(s.path)])
    for source in sources:
        if store.is_kolada_path(source.path):
            continue
        repo.files += 1
        loaded = load_file(source)
        if loaded.goal is not None:
            repo.goals.append(loaded.goal)
        if loaded.unloaded is not None:
            repo.unloaded.append(loaded.unloaded)
        if loaded.partial is not None:
            repo.partial.append(loaded.partial)
        repo.problems.extend(source.problems)
    return finish_repository(repo)


def start_repository(root: Path, config_source: Source | None,
                     pulled: Sequence[Source]) -> Repository:
    """A repository with its configuration and pulled figures, before any goal file."""
    repo = Repository(root=root, config=load_config(config_source),
                      config_source=config_source)
    if config_source is not None:
        repo.files += 1
        repo.problems.extend(config_source.problems)
    repo.kolada, problems = store.load(pulled)
    repo.problems += problems
    return repo


class Loaded(NamedTuple):
    """What one goal file gives: its goal; or, when it does not fit the format, its id as
    written (``unloaded``) and its goal with what did not fit left out (``partial``, when
    that can be one)."""

    goal: Goal | None
    partial: Goal | None
    unloaded: str | None


def load_file(source: Source) -> Loaded:
    """One goal file's goal; what does not fit becomes problems on ``source``."""
    goal = load_goal(source)
    if goal is None and isinstance(source.data, dict) and "id" in source.data:
        return Loaded(None, without_misfits(source),
                      source.raw.get(("id",), str(source.data["id"])))
    return Loaded(goal, None, None)


def finish_repository(repo: Repository) -> Repository:
    """Settle each goal's body and put the goals in report order."""
    for goal in [*repo.goals, *repo.partial]:
        assign_body(goal, repo.config)
    repo.goals.sort(key=goal_order(repo.config))
    return repo


def load(tree: Tree) -> Repository:
    """The repository as a tree holds it: the working tree, or a revision."""
    inputs = tree.inputs()
    repo = build_repository(tree.root, inputs.config, inputs.files)
    repo.problems += inputs.problems
    return repo


def load_at(root: Path, rev: str | None = None, name: str = "") -> Repository:
    """The working tree (``rev`` None), or the goals as they were at ``rev`` (named ``name``
    in problems, default ``rev``): every command loads either this one way."""
    return load(tree(root, rev, name))


def load_repository(root: Path, extra: Sequence[Path] = ()) -> Repository:
    """The working tree: the configuration and every goal file (plus ``extra`` files)."""
    return load(WorkTree(root, extra))
