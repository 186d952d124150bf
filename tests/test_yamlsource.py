"""The loader: positions, refusals, and that no input whatsoever makes it raise."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from malpl.checks import validate
from malpl.repository import build_repository
from malpl.yamlsource import load_bytes, load_text

GOAL = Path(__file__).resolve().parent / "fixtures" / "repo" / "goals" / "1.1.yaml"


def _pipeline(blob: bytes) -> list:
    """Everything `malpl check` does with one file's bytes."""
    repo = build_repository(Path("."), None, [load_bytes("goals/x.yaml", blob)])
    return validate(repo)


def test_positions_are_recorded_for_values_and_keys() -> None:
    source = load_text("x.yaml", 'id: "1"\ntargets:\n  - id: "1.1"\n    text: >-\n      a\n')
    assert source.positions[("targets", 0, "id")] == (3, 9)
    assert source.key_positions[("targets", 0, "text")] == (4, 5)
    assert source.data == {"id": "1", "targets": [{"id": "1.1", "text": "a"}]}


def test_keys_stay_as_written() -> None:
    source = load_text("x.yaml", "2022: 1\n1.10: 2\nyes: 3\n")
    assert list(source.data) == ["2022", "1.10", "yes"]


def test_dates_stay_text() -> None:
    assert load_text("x.yaml", "d: 2023-04-30\n").data == {"d": "2023-04-30"}


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    source = load_text("x.yaml", "\n".join(lines))
    assert {p.code for p in source.problems} == {"alias"}


def test_multiple_documents_are_refused() -> None:
    (problem,) = load_text("x.yaml", "a: 1\n---\nb: 2\n").problems
    assert problem.code == "yaml-syntax" and "---" in problem.hint


def test_utf16_is_named() -> None:
    (problem,) = load_bytes("x.yaml", "id: 1".encode("utf-16")).problems
    assert problem.code == "encoding" and "UTF-16" in problem.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(blob: bytes) -> None:
    _pipeline(blob)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                     st.text(max_size=20))
_yaml_data = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(
            ["id", "title", "level", "targets", "measures", "followups", "values",
             "T1-2023", "2022", "comment", "assessment", "target", "min", "forecasts",
             "references", "baseline", "parent", "text", "name", "unit"])),
            children, max_size=5)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_yaml_data)
def test_random_yaml_never_raises(data: object) -> None:
    _pipeline(yaml.safe_dump(data, allow_unicode=True).encode())


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_goal_file_never_raises(data: st.DataObject) -> None:
    text = GOAL.read_text()
    lines = text.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(st.text(max_size=30))
    lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))] + replacement
    _pipeline("\n".join(lines).encode("utf-8", "surrogatepass"))
