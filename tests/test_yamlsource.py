"""The loader: positions, refusals, and that no input whatsoever makes it raise."""

from __future__ import annotations

import gc
from pathlib import Path

import msgspec
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from malpl.checks import validate
from malpl.repository import build_repository
from malpl.yamlsource import _Loader, load_bytes, load_text

GOAL = Path(__file__).resolve().parent / "fixtures" / "repo" / "goals" / "1.1.yaml"


def _pipeline(blob: bytes) -> list:
    """Everything `malpl check` does with one file's bytes."""
    repo = build_repository(Path("."), None, [load_bytes("goals/x.yaml", blob)])
    return validate(repo)


def test_positions_are_recorded_for_values_and_keys() -> None:
    source = load_text("x.yaml", 'id: "1"\ntargets:\n  - id: "1.1"\n    text: >-\n      a\n')
    assert source.where(("targets", 0, "id")) == (3, 9)
    assert source.where(("targets", 0, "text"), key=True) == (4, 5)
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


def test_duplicate_key_names_the_line_of_the_first() -> None:
    text = 'id: "1"\ntargets:\n  - id: "1.1"\n    text: a\n    b: 1\n    text: c\n'
    (problem,) = load_text("x.yaml", text).problems
    assert (problem.code, problem.line) == ("duplicate-key", 6)
    assert "first on line 4" in problem.message


def test_an_alias_is_placed_at_its_key_and_its_value_at_the_parent() -> None:
    source = load_text("x.yaml", "a: &x 1\nb:\n  c: *x\n")
    assert source.where(("b", "c"), key=True) == (3, 3)
    assert source.where(("b", "c")) == (3, 3)  # no position of its own: the mapping's
    assert source.where(("b", "c", "nothing", 0)) == (3, 3)


def test_where_falls_back_to_the_nearest_written_ancestor() -> None:
    source = load_text("x.yaml", "a:\n  - x\n  - {b: 2}\n")
    assert source.where(("a", 1, "b")) == (3, 9)
    assert source.where(("a", 1, "b"), key=True) == (3, 6)
    assert source.where(("a", 1, "zz", 3)) == (3, 5)
    assert source.where(("a", 5)) == source.where(("a", -1)) == (2, 3)
    assert source.where(("a", "1")) == (2, 3)  # a key is not an index
    assert source.where(("a", 0), key=True) == (2, 5)  # a list item has no key
    assert source.where((["unhashable"],)) == (1, 1)
    assert load_text("x.yaml", "").where(("a",)) == (1, 1)


def _expected_positions(node: yaml.Node, path: tuple, out: dict, key: yaml.Node | None = None
                        ) -> None:
    """Every path's (value, key) position, read from PyYAML's own node graph."""
    def pos(n: yaml.Node | None) -> tuple[int, int] | None:
        return None if n is None else (n.start_mark.line + 1, n.start_mark.column + 1)

    out[path] = (pos(node), pos(key))
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _expected_positions(v, (*path, k.value), out, k)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _expected_positions(item, (*path, i), out)


@settings(max_examples=200, deadline=None)
@given(_yaml_data, st.booleans())
def test_every_value_and_key_is_placed_where_pyyaml_puts_it(data: object, flow: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow)
    source = load_text("x.yaml", text)
    expected: dict = {}
    _expected_positions(yaml.compose(text, Loader=yaml.CSafeLoader), (), expected)
    for path, (value, key) in expected.items():
        assert source.where(path) == value
        assert source.where(path, key=True) == (key or value)


def test_positions_are_not_an_object_per_node() -> None:
    """Finding: a tuple key and a tuple position per node made memory, and the
    collector's work, grow with every value of every file."""
    text = "items:\n" + "".join(f"  - {{text: t{i}, more: [a, b]}}\n" for i in range(2000))
    source = load_text("x.yaml", text)
    reachable, todo = set(), list(msgspec.structs.astuple(source))
    while todo:
        obj = todo.pop()
        if id(obj) not in reachable:
            reachable.add(id(obj))
            if isinstance(obj, dict):
                todo += [*obj, *obj.values()]
            elif isinstance(obj, list | tuple):
                todo += obj
    values = 2000 * (1 + 2 + 2)  # per item a mapping, two values and two list items
    assert len(reachable) < values + 100  # (keys are shared, "a", "b" interned)


def test_no_node_graph_is_ever_walked_by_the_garbage_collector() -> None:
    """Finding: the collector walked every file's node graph, and everything
    loaded before it, over and over; the one part that grew faster than the data."""
    text = "items:\n" + "".join(f"  - {{text: t{i}, n: {i}}}\n" for i in range(3000))
    nodes_seen = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            nodes_seen.append(sum(isinstance(o, yaml.Node) for o in gc.get_objects()))

    gc.collect()
    gc.callbacks.append(watch)
    try:
        load_text("x.yaml", text)
    finally:
        gc.callbacks.remove(watch)
    assert not any(nodes_seen)


def test_the_collector_is_left_as_it_was() -> None:
    gc.disable()
    try:
        load_text("x.yaml", "a: 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
    load_text("x.yaml", "a: [\n")
    assert gc.isenabled()


# Scalars that YAML 1.1 reads as something other than text, and near misses.
_TRICKY = ["1:10", "-1:10:30", "190:20:30.15", "0x1F", "0x_1f", "0o17", "017", "0b1010", "1_000",
           "+12", "-0", "1e3", "1.0e+3", "1.5E-3", ".5", "1.", ".inf", "-.Inf", "+.INF",
           ".nan", ".NaN", ".NAN", "yes", "Yes", "YES", "yEs", "no", "No", "on", "On", "ON",
           "off", "Off", "OFF", "y", "Y", "n", "N", "true", "True", "TRUE", "tRUE", "false",
           "~", "null", "Null", "NULL", "nUll", "", "2023-04-30", "2023-4-30",
           "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z",
           "<<", "=", "!", "&a", "*a", "T1-2023", "1.10", "6.5", "1,5", "Ånge", "nämnd", "ö"]
_SCALARS = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(alphabet="0123456789_:.-+eExXoObB aAnNfFyYtTlLsSuUrRiI~<=Z", max_size=12),
    st.text(max_size=12))


@settings(max_examples=2000, deadline=None)
@given(_SCALARS, st.booleans(), st.booleans())
def test_the_fast_resolver_gives_exactly_the_standard_types(
        value: str, plain: bool, quoted: bool) -> None:
    ours, standard = _Loader(""), yaml.CSafeLoader("")
    try:
        assert ours.resolve(yaml.ScalarNode, value, (plain, quoted)) == \
            standard.resolve(yaml.ScalarNode, value, (plain, quoted))
        for kind in (yaml.MappingNode, yaml.SequenceNode):
            assert ours.resolve(kind, None, plain) == standard.resolve(kind, None, plain)
    finally:
        ours.dispose()
        standard.dispose()
