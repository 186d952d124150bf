"""Load a goals repository: ``malpl.yaml`` (optional) and every file in ``goals/``.

This is the one load path every command uses. Loading never raises for bad
input: what cannot be read or does not fit the format becomes a problem, and
the goals that did load are still returned so that the cross-file checks can
run over them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from malpl.model import Config, Goal
from malpl.problems import Problem
from malpl.schema_errors import problems_from
from malpl.yamlsource import Source, load_bytes

CONFIG_NAME = "malpl.yaml"
GOALS_DIR = "goals"
YAML_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)


class MalplError(Exception):
    """An environment failure (not a git repository, pandoc missing, …).

    Bad input is never an exception; it is a :class:`~malpl.problems.Problem`.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass
class Repository:
    root: Path
    config: Config
    goals: list[Goal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    config_source: Source | None = None

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)


def natural_key(ident: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "1.2" before "1.10", as people number goals."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-_ ]", ident))


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def parse_model(model: type[M], source: Source) -> M | None:
    """Validate a loaded source against a model; failures become problems on it."""
    if source.problems and source.data is None:
        return None
    if not isinstance(source.data, dict):
        source.problems.append(source.problem(
            (), "wrong-type", "the file must hold a mapping of 'key: value' lines",
            "start the file with lines such as 'id: \"1.1\"' and 'title: …'"))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as err:
        source.problems.extend(problems_from(err, source, model))
        return None


def read_source(path: Path, root: Path) -> Source:
    name = relative(path, root)
    try:
        blob = path.read_bytes()
    except OSError as err:
        return Source(name, problems=[Problem(name, 1, 1, "unreadable",
                                              f"cannot read the file: {err.strerror}",
                                              "check that it exists and is readable")])
    return load_bytes(name, blob)


def load_config(source: Source | None) -> Config:
    """The configuration, or the defaults when there is no file or it is invalid."""
    config = parse_model(Config, source) if source is not None else None
    return config or Config()


def read_config(root: Path) -> Config:
    """The configuration of the repository at ``root`` (defaults when absent or invalid)."""
    path = root / CONFIG_NAME
    return load_config(read_source(path, root) if path.is_file() else None)


def goal_files(root: Path) -> list[Path]:
    folder = root / GOALS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_goal(source: Source) -> Goal | None:
    goal = parse_model(Goal, source)
    if goal is not None:
        goal._source = source
    return goal


def build_repository(root: Path, config_source: Source | None,
                     sources: Iterable[Source]) -> Repository:
    """Assemble a repository from sources, wherever they were read from (disk, git)."""
    repo = Repository(root=root, config=load_config(config_source),
                      config_source=config_source)
    if config_source is not None:
        repo.files += 1
        repo.problems.extend(config_source.problems)
    for source in sources:
        repo.files += 1
        goal = load_goal(source)
        if goal is not None:
            repo.goals.append(goal)
        repo.problems.extend(source.problems)
    repo.goals.sort(key=lambda g: natural_key(g.id))
    return repo


def load_repository(root: Path, extra: Sequence[Path] = ()) -> Repository:
    """Read the configuration and every goal file (plus ``extra`` files)."""
    if not extra and not (root / GOALS_DIR).is_dir():
        raise MalplError(f"there is no {GOALS_DIR}/ folder in {root}",
                         "run malpl in the repository that holds goals/, or pass -C DIR")
    config_path = root / CONFIG_NAME
    config_source = read_source(config_path, root) if config_path.is_file() else None
    paths = goal_files(root)
    known = {p.resolve() for p in paths} | {config_path.resolve()}
    paths += [p for p in extra if p.resolve() not in known]
    return build_repository(root, config_source, (read_source(p, root) for p in paths))
