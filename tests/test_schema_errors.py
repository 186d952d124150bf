"""Every way a file can miss the format is named, each at its own line and column.

The loader converts data with msgspec (fast, stops at the first problem); when
that fails, a walk over the same struct types names every problem. These tests
run real YAML files through `check`, and check that the fast path and the walk
never disagree about whether data fits.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from malpl.checks import check
from malpl.model import Config, Goal, convert
from malpl.schema_errors import mismatches
from malpl.yamlsource import load_text
from tests.conftest import FIXTURES, ROOT

SCHEMA = FIXTURES / "schema"


def _problems(repo: Path, name: str) -> list[tuple[int, int, str, str, str]]:
    shutil.copy(SCHEMA / name, repo / "goals" / name)
    return [(p.line, p.column, p.code, p.message, p.hint) for p in check(repo).problems
            if p.path == f"goals/{name}"]


def test_every_problem_in_one_goal_file_is_reported_at_its_position(repo: Path) -> None:
    found = _problems(repo, "goal-many-problems.yaml")
    assert [(line, col, code) for line, col, code, _, _ in found] == [
        (1, 5, "wrong-type"),  # id: 9.10, a number
        (2, 1, "unknown-field"),  # titel (and so no second problem for the missing title)
        (4, 10, "wrong-type"),  # parent: [1.1, …], the first item a number
        (5, 8, "value-range"),  # ended: 1800
        (8, 11, "empty-text"),  # targets[0].text: ""
        (13, 16, "wrong-type"),  # ready: "ja"
        (14, 21, "wrong-type"),  # assessment: 3
        (18, 16, "value-range"),  # tolerance: -1
        (20, 13, "wrong-type"),  # .nan
        (21, 13, "wrong-type"),  # .inf
        (22, 13, "value-range"),  # 1.0e+16
        (23, 13, "wrong-type"),  # 79,2
        (24, 13, "wrong-type"),  # true is not a number
        (26, 13, "invalid-value"),  # trends: bettr
        (28, 13, "missing-field"),  # forecast {low: 1} without high
        (29, 13, "wrong-type"),  # forecast [1, 2]
        (30, 31, "unknown-field"),  # forecast key hgh
        (31, 5, "missing-field"),  # the second measure has no id
        (32, 16, "invalid-value"),  # direction: upp
        (33, 13, "wrong-type"),  # values: 5
    ]
    text = {(line, col): (message, hint) for line, col, _, message, hint in found}
    assert text[2, 1] == ("unknown field 'titel'", "did you mean 'title'? allowed here: body, "
                          "description, ended, followups, id, level, measures, order, parent, "
                          "responsible, start, targets, title")
    assert text[1, 5] == ("'id' must be text, not the number 9.10", 'put it in quotes: id: "9.10"')
    assert text[20, 13][0] == "'2020' must be a finite number, not the number .nan"
    assert text[21, 13][0] == "'2021' must be a finite number, not the number .inf"
    assert text[22, 13][0] == "'2022' is 1.0e+16, too large for malpl to compute with"
    assert text[23, 13][1].startswith("YAML numbers use a decimal point")
    assert text[5, 8] == ("'ended' is 1800, below the lowest, 1900", "write a number from 1900 to 2100")
    assert text[18, 16][1] == "write a number from 0 to 1 000 000 000 000 000"
    assert text[28, 13][0] == "missing required field 'high'"
    assert text[29, 13][0] == ("'2026' must be a number or a mapping (indented 'key: value' "
                               "lines), not a list")
    assert text[30, 31][1].startswith("did you mean 'high'?")
    assert text[26, 13][0].startswith("'2022' must be one of 'better', 'unchanged', 'worse' or")


def test_every_problem_in_malpl_yaml_is_reported_at_its_position(repo: Path) -> None:
    shutil.copy(SCHEMA / "malpl.yaml", repo / "malpl.yaml")
    found = [(p.line, p.column, p.code, p.message) for p in check(repo).problems
             if p.path == "malpl.yaml"]
    assert found == [
        (3, 3, "unknown-field", "unknown field 'namn'"),
        (4, 8, "empty-text", "'title' is empty"),
        (6, 5, "missing-field", "missing required field 'label'"),
        (8, 11, "invalid-value", "'scheme' must be one of 'tertial', 'kvartal' or 'halvar', "
                                 "not the text 'månad'"),
        (9, 8, "invalid-value", "'scale' must have at least one item"),
        (11, 12, "wrong-type", "'summary' must be true or false, not the text 'ja'"),
        (13, 10, "invalid-value", "'color' has the wrong form"),
        (16, 12, "invalid-value", "'url' has the wrong form"),
        (18, 12, "invalid-value", "'url' has the wrong form"),
    ]


def test_colour_or_url_with_a_trailing_newline_is_refused() -> None:
    """Python's '$' also matches before a final newline; the patterns must not."""
    for text in ('site: {color: "#1f4e79\\n"}\n',
                 'site: {links: [{label: x, url: "https://example.org/\\n"}]}\n'):
        source = load_text("malpl.yaml", text)
        with pytest.raises(msgspec.ValidationError):
            convert(Config, source.data)
        assert [m.kind for m in mismatches(Config, source.data)] == ["pattern"]


def test_huge_integer_in_a_number_field_names_its_digits(repo: Path) -> None:
    (repo / "goals" / "n.yaml").write_text(
        'id: "9"\nlevel: utvecklingsmal\ntitle: x\nmeasures:\n  - id: m9\n    name: n\n'
        f"    values: {{2020: {'9' * 400}}}\n    forecasts: {{2021: -{'9' * 20}}}\n")
    found = [(p.line, p.column, p.code, p.message) for p in check(repo).problems]
    assert found == [
        (7, 20, "value-range", "'2020' is too large a number (400 digits)"),
        (8, 23, "value-range", f"'2021' is -{'9' * 20}, too large for malpl to compute with")]


def test_quoted_numbers_and_whole_floats_still_load_as_before(repo: Path) -> None:
    (repo / "goals" / "q.yaml").write_text(
        'id: "9"\nlevel: utvecklingsmal\ntitle: x\norder: 3.0\nmeasures:\n'
        '  - id: m9\n    name: n\n    values: {2020: "79.2", 2021: 5}\n')
    result = check(repo)
    assert result.problems == []
    from malpl.repository import load_repository

    goal = load_repository(repo).goal("9")
    assert goal is not None and goal.order == 3
    assert goal.measures[0].values == {"2020": 79.2, "2021": 5.0}
    assert isinstance(goal.measures[0].values["2021"], float)


# --- the fast path and the walk agree ----------------------------------------------------

_VALID = [load_text(p.name, p.read_text(encoding="utf-8")).data
          for p in [*sorted((ROOT / "goals").glob("*.yaml"))[:3],
                    *sorted((FIXTURES / "repo" / "goals").rglob("*.yaml"))]]
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**15, max_value=10**400),
    st.floats(), st.sampled_from(["", "x", "79.2", "79,2", "1e400", "nan", "#1f4e79", "better",
                                  "higher", "T1-2023", "true", "3"]),
    st.lists(st.sampled_from([1, "a", None]), max_size=2),
    st.dictionaries(st.sampled_from(["low", "high", "id", "name", "titel", "value"]),
                    st.sampled_from([1, "a", None, 2.5]), max_size=3))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(data: Any, path: tuple, value: Any, new_key: str | None) -> Any:
    if not path:
        return {**data, new_key: value} if new_key and isinstance(data, dict) else value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replaced(data[head], rest, value, new_key)}
    return [_replaced(v, rest, value, new_key) if i == head else v for i, v in enumerate(data)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_path_and_walk_agree_on_whether_data_fits(data: st.DataObject) -> None:
    valid = data.draw(st.sampled_from(_VALID))
    path = data.draw(st.sampled_from(_paths(valid)))
    new_key = data.draw(st.one_of(st.none(), st.sampled_from(["extra", "titel", "high"])))
    changed = _replaced(valid, path, data.draw(_VALUES), new_key)
    try:
        convert(Goal, changed)
        fits = True
    except msgspec.ValidationError:
        fits = False
    found = mismatches(Goal, changed)
    assert fits == (not found), (path, found)
    for misfit in found:  # each names a place that is in the data, or a key missing there
        if not misfit.path:
            continue
        node = changed
        for step in misfit.path[:-1]:
            node = node[step]
        assert misfit.kind == "missing" or misfit.path[-1] in (
            node if isinstance(node, dict) else range(len(node)))
        if misfit.kind == "range":
            assert not math.isnan(misfit.detail[2])


def test_every_field_in_the_schemas_is_described_in_swedish_and_english() -> None:
    from malpl.schema import json_schema

    undescribed = set()
    for kind in ("goal", "config"):
        schema = json_schema(kind)
        for name, struct in [("", schema), *schema["$defs"].items()]:
            for field, spec in struct["properties"].items():
                if " / " not in spec.get("description", ""):
                    undescribed.add(f"{name}.{field}".lstrip("."))
    # The report's own words and the sections that describe themselves, as before.
    assert undescribed == {"Labels.comment", "Labels.measures",
                           "Labels.no_comment", "Labels.summary", "organisation", "labels",
                           "periods"}
