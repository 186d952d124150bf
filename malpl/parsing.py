"""A loaded YAML file as a model: what does not fit becomes problems on the file.

Format layer: no file is read here. Every reader (the working tree, a revision, a
blob of history, a pulled Kolada file) hands its :class:`~malpl.yamlsource.Source`
to these functions, so a file means the same wherever it came from.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from malpl.i18n import _
from malpl.model import Config, Goal, convert
from malpl.yamlsource import Source

M = TypeVar("M", bound=msgspec.Struct)


def parse_model(model: type[M], source: Source) -> M | None:
    """Validate a loaded source against a model; failures become problems on it."""
    if source.problems and source.data is None:
        return None
    if not isinstance(source.data, dict):
        source.problems.append(source.problem(
            (), "wrong-type", _("the file must hold a mapping of 'key: value' lines"),
            _("start the file with lines such as 'id: \"1.1\"' and 'title: …'")))
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


def load_config(source: Source | None) -> Config:
    """The configuration, or the defaults when there is no file or it is invalid."""
    config = parse_model(Config, source) if source is not None else None
    return config or Config()


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
