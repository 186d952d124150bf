"""Load a goals repository: ``malpl.yaml`` (optional) and every file in ``goals/``.

This is the one load path every command uses. Loading never raises for bad
input: what cannot be read or does not fit the format becomes a problem, and
the goals that did load are still returned so that the cross-file checks can
run over them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from malpl.kolada.data import KoladaData
from malpl.model import Config, Goal, convert
from malpl.problems import Problem
from malpl.yamlsource import Source, load_bytes

CONFIG_NAME = "malpl.yaml"
GOALS_DIR = "goals"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 64 * 2**20  # a goal file is kilobytes; this guards against /dev/zero

M = TypeVar("M", bound=msgspec.Struct)


class MalplError(Exception):
    """An environment failure (not a git repository, pandoc missing, …).

    Bad input is never an exception; it is a :class:`~malpl.problems.Problem`.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(MalplError):
    """What was asked for cannot be understood: a period, body, level or revision that is
    not one. The person's mistake in asking, not a failure; the command exits 2."""


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
    """Sort "1.2" before "1.10" and "1:2" before "1:10", as people number goals."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.:\-_ ]", ident))


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


def relative(path: Path, root: Path) -> str:
    """``path`` as written from ``root``; a link is named as the link, not its target."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
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
        return convert(model, source.data)
    except msgspec.ValidationError as err:
        from malpl.schema_errors import problems_from  # only for files that do not fit

        # A value the loader already refused is one mistake, not two.
        refused = {(p.line, p.column) for p in source.problems}
        source.problems.extend(p for p in problems_from(source, model, err)
                               if (p.line, p.column) not in refused)
        return None


def _unreadable(name: str, message: str, hint: str) -> Source:
    return Source(name, problems=[Problem(name, 1, 1, "unreadable", message, hint)])


def read_source(path: Path, root: Path) -> Source:
    """Read one file; a FIFO, a device or a huge file is a problem, never a hang."""
    name = relative(path, root)
    try:
        # Non-blocking, so that opening a FIFO returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        return _unreadable(name, f"cannot read the file: {err.strerror}",
                           "check that it exists and is readable")
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(name, "this is not a regular file (a folder, pipe or device)",
                               "goal files are plain text files: replace it with one, or "
                               "remove it")
        try:
            blob = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            return _unreadable(name, f"cannot read the file: {err.strerror}",
                               "check that it exists and is readable")
    if len(blob) > MAX_FILE_BYTES:
        return _unreadable(name, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB",
                           "a goal file holds one goal; split it into one file per goal")
    return load_bytes(name, blob)


def load_config(source: Source | None) -> Config:
    """The configuration, or the defaults when there is no file or it is invalid."""
    config = parse_model(Config, source) if source is not None else None
    return config or Config()


def read_config(root: Path) -> Config:
    """The configuration of the repository at ``root`` (defaults when absent or invalid)."""
    path = root / CONFIG_NAME
    return load_config(read_source(path, root) if path.is_file() else None)


def yaml_files(folder: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """The YAML files under ``folder``, following links that stay inside ``root``.

    A link that leads outside the repository is refused (its target is never
    read), and a link that leads nowhere is reported, so nothing is skipped
    without a word.
    """
    inside = Path(os.path.realpath(root))
    found: list[Path] = []
    problems: list[Problem] = []
    visited: set[str] = set()

    def refuse(path: Path, code: str, message: str, hint: str) -> None:
        problems.append(Problem(relative(path, root), 1, 1, code, message, hint))

    def walk(current: Path) -> None:
        real = os.path.realpath(current)
        if real in visited:  # a link back up the tree
            return
        visited.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as err:
            refuse(current, "unreadable", f"cannot read the folder: {err.strerror}",
                   "check that it exists and is readable")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.exists():
                    refuse(path, "unreadable", "this link leads to nothing",
                           "remove the link, or point it at a file in the repository")
                    continue
                if not target.is_relative_to(inside):
                    refuse(path, "outside-repository",
                           "this link leads outside the repository; it is not read",
                           "copy the file into goals/ instead of linking to it")
                    continue
                if Path(os.path.realpath(folder)).is_relative_to(target):
                    refuse(path, "unreadable", "this link leads back to a folder that holds "
                           "it (a loop); it is not followed",
                           "link to a folder of goal files, or remove the link")
                    continue
            if entry.is_dir():
                walk(path)
            elif path.suffix in YAML_SUFFIXES:
                found.append(path)

    walk(folder)
    return found, problems


def goal_files(root: Path) -> tuple[list[Path], list[Problem]]:
    folder = root / GOALS_DIR
    if not folder.is_dir():
        return [], []
    return yaml_files(folder, root)


def load_goal(source: Source) -> Goal | None:
    goal = parse_model(Goal, source)
    if goal is not None:
        goal._source = source
    return goal


def without_misfits(source: Source) -> Goal | None:
    """The goal of a file that does not fit the format, with each value that does not fit
    left out; None when it cannot be one that way (a required field is missing or wrong,
    or a list item is wrong: leaving it out would move the others off their lines).

    So that one wrong value does not hide the file's other mistakes, the checks of what a
    file names (levels, periods, scale steps, parents, ids) look at it too.
    """
    import copy

    from malpl.schema_errors import mismatches

    paths = []
    for misfit in mismatches(Goal, source.data):
        if misfit.kind == "missing" or not misfit.path or isinstance(misfit.path[-1], int):
            return None
        paths.append(misfit.path)
    data = copy.deepcopy(source.data)  # the source's data stays as loaded: positions
    for path in sorted(paths, key=len, reverse=True):  # within a removed mapping first
        parent = data
        for step in path[:-1]:
            parent = _child(parent, step)
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    try:
        goal = convert(Goal, data)
    except msgspec.ValidationError:
        return None
    goal._source = source
    return goal


def _child(container: Any, step: Any) -> Any:
    """``container[step]``, or None where there is none."""
    if isinstance(container, dict):
        return container.get(step)
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return container[step]
    return None


def build_repository(root: Path, config_source: Source | None,
                     sources: Iterable[Source]) -> Repository:
    """Assemble a repository from sources, wherever they were read from (disk, git).

    Files under data/kolada/ are pulled figures, not goals."""
    from malpl.kolada import store

    repo = Repository(root=root, config=load_config(config_source),
                      config_source=config_source)
    if config_source is not None:
        repo.files += 1
        repo.problems.extend(config_source.problems)
    sources = list(sources)
    pulled = [s for s in sources if store.is_kolada_path(s.path)]
    repo.kolada, problems = store.load(pulled)
    repo.problems += problems
    for source in sources:
        if store.is_kolada_path(source.path):
            continue
        repo.files += 1
        goal = load_goal(source)
        if goal is not None:
            repo.goals.append(goal)
        elif isinstance(source.data, dict) and "id" in source.data:
            repo.unloaded.append(source.raw.get(("id",), str(source.data["id"])))
            partial = without_misfits(source)
            if partial is not None:
                repo.partial.append(partial)
        repo.problems.extend(source.problems)
    for goal in [*repo.goals, *repo.partial]:
        assign_body(goal, repo.config)
    repo.goals.sort(key=goal_order(repo.config))
    return repo


def find_root(here: Path) -> Path:
    """The repository a command run in ``here`` works on: the nearest folder at or above
    it that holds malpl.yaml, else the nearest that holds goals/ (as git finds its
    repository from a subfolder); ``here`` when there is none, or when the folders cannot
    be read, so that the error names where malpl looked."""
    try:
        start = here.resolve(strict=True)
        folders = (start, *start.parents)
        found = (next((f for f in folders if (f / CONFIG_NAME).is_file()), None)
                 or next((f for f in folders if (f / GOALS_DIR).is_dir()), None))
    except OSError:  # a folder deleted or closed to us: look no further
        return here
    if found is None or found == start:
        return here
    return Path(os.path.relpath(found, start))


def load_repository(root: Path, extra: Sequence[Path] = ()) -> Repository:
    """Read the configuration and every goal file (plus ``extra`` files)."""
    if not extra and not (root / GOALS_DIR).is_dir():
        raise MalplError(f"there is no {GOALS_DIR}/ folder in {root}",
                         "run malpl in the repository that holds goals/, or pass -C DIR")
    config_path = root / CONFIG_NAME
    config_source = read_source(config_path, root) if config_path.is_file() else None
    paths, problems = goal_files(root)
    known = {p.resolve() for p in paths} | {config_path.resolve()}
    paths += [p for p in extra if p.resolve() not in known]
    from malpl.kolada.store import kolada_paths

    paths += [p for p in kolada_paths(root) if p.resolve() not in known]
    repo = build_repository(root, config_source, (read_source(p, root) for p in paths))
    repo.problems += problems
    return repo
