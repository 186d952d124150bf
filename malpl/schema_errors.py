"""Turn pydantic's validation errors into problems a person can act on.

Pydantic reports a location in the *model* (with union members and such in
it); we map it back to the path in the *data*, so the line and column come
from the positions recorded at load time, and we phrase the message in the
words of someone editing a YAML file.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from malpl.problems import Problem
from malpl.yamlsource import Path_, Source

# Swedish words people reach for, mapped to the field they mean.
_SWEDISH_FIELDS = {
    "kommentar": "comment", "bedömning": "assessment", "bedomning": "assessment",
    "prognos": "forecast", "titel": "title", "rubrik": "title", "namn": "name",
    "mått": "measures", "matt": "measures", "ansvarig": "responsible", "nivå": "level",
    "niva": "level", "uppföljning": "followups", "uppfoljning": "followups",
    "målvärde": "target", "malvarde": "target", "enhet": "unit", "värden": "values",
    "varden": "values", "klar": "ready", "riktning": "direction", "källa": "source",
    "kalla": "source", "förälder": "parent", "delmål": "targets", "mål": "targets",
    "utvecklingsmål": "targets", "beskrivning": "description", "basår": "baseline",
    "referenser": "references", "utfall": "value",
}

_KINDS = {
    "string_type": "text",
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "dict_type": "a mapping (indented 'key: value' lines)",
    "model_type": "a mapping (indented 'key: value' lines)",
    "model_attributes_type": "a mapping (indented 'key: value' lines)",
    "list_type": "a list (lines starting with '- ')",
}


def _describe(value: Any, raw: str | None) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{raw}' (read as true/false)" if raw else "true/false"
    if isinstance(value, (int, float)):
        text = raw or str(value)
        return f"the number {text if len(text) <= 30 else text[:27] + '…'}"
    if isinstance(value, str):
        short = value if len(value) <= 30 else value[:27] + "…"
        return f"the text '{short}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation may hold (Optional, unions)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _step(annotation: Any, seg: Any) -> Any:
    options = _unwrap(annotation)
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            if len(options) > 1 and option.__name__ == seg:
                return option
            if isinstance(seg, str) and seg in option.model_fields:
                return option.model_fields[seg].annotation
        origin = typing.get_origin(option)
        if origin is list and isinstance(seg, int):
            return typing.get_args(option)[0]
        if origin is dict:
            return typing.get_args(option)[1]
    return annotation  # a segment naming no data, such as a union member 'float'


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a pydantic location through the model's annotations."""
    current: Any = model
    for seg in loc:
        current = _step(current, seg)
    options = [o for o in _unwrap(current) if isinstance(o, type) and issubclass(o, BaseModel)]
    return options[0] if options else None


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """Map a pydantic location onto the data (a missing key ends the path)."""
    path: list[str | int] = []
    node = data
    for seg in loc:
        in_dict = isinstance(node, dict) and seg in node
        in_list = isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node)
        if in_dict or in_list:
            node = node[seg]
        elif isinstance(node, dict) and isinstance(seg, str) and seg.isidentifier():
            return (*path, seg)
        else:
            continue  # a union member's name, not part of the data
        path.append(seg)
    return tuple(path)


def suggest(name: str, allowed: list[str]) -> str:
    if name.lower() in _SWEDISH_FIELDS and _SWEDISH_FIELDS[name.lower()] in allowed:
        return _SWEDISH_FIELDS[name.lower()]
    close = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.6)
    return close[0] if close else ""


def _field_name(path: Path_) -> str:
    names = [str(p) for p in path if isinstance(p, str)]
    return names[-1] if names else "the file"


def problems_from(err: ValidationError, source: Source, model: type[BaseModel]) -> list[Problem]:
    """One problem per place in the data, however many union members failed there."""
    grouped: dict[Path_, list[dict[str, Any]]] = {}
    for error in err.errors(include_url=False):
        path = _data_path(source.data, tuple(error["loc"]))
        grouped.setdefault(path, []).append(error)
    # An unknown key that is a typo of a missing one is one mistake, not two.
    for path, errors in list(grouped.items()):
        if errors[0]["type"] != "extra_forbidden":
            continue
        parent = _model_at(model, tuple(errors[0]["loc"])[:-1])
        guess = suggest(str(path[-1]), sorted(parent.model_fields) if parent else [])
        missing = (*path[:-1], guess)
        if guess and grouped.get(missing, [{}])[0].get("type") == "missing":
            del grouped[missing]
    return [_one(path, errors, source, model) for path, errors in grouped.items()]


def _one(path: Path_, errors: list[dict[str, Any]], source: Source,
         model: type[BaseModel]) -> Problem:
    first = errors[0]
    kind = first["type"]
    name = _field_name(path)
    if kind == "missing":
        return source.problem(path, "missing-field", f"missing required field '{name}'",
                              f"add a line '{name}: …' here")
    if kind == "extra_forbidden":
        parent = _model_at(model, tuple(first["loc"])[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        guess = suggest(name, allowed)
        hint = f"did you mean '{guess}'?" if guess else ""
        if allowed:
            hint = (hint + " " if hint else "") + "allowed here: " + ", ".join(allowed)
        return source.problem(path, "unknown-field", f"unknown field '{name}'", hint, key=True)
    if kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        return source.problem(path, "invalid-value",
                              f"'{name}' must be one of {expected}, not "
                              f"{_describe(first['input'], source.raw.get(path))}",
                              f"write one of {expected}")
    if kind == "string_pattern_mismatch":
        return source.problem(path, "invalid-value", f"'{name}' has the wrong form",
                              f"it must match {first['ctx']['pattern']}")
    if kind == "string_too_short":
        return source.problem(path, "empty-text", f"'{name}' is empty",
                              f"write the {name} after the colon")
    if kind == "too_short":
        return source.problem(path, "invalid-value", f"'{name}' must have at least one item",
                              "add an item, or remove the key to use the default")
    if kind in ("less_than_equal", "greater_than_equal"):
        return source.problem(path, "value-range",
                              f"'{name}' is {source.raw.get(path) or first['input']}, "
                              "too large for malpl to compute with",
                              "numbers must lie between -1 000 000 000 000 000 and "
                              "1 000 000 000 000 000; check the value")
    value = first["input"]
    if kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        return source.problem(path, "value-range",
                              f"'{name}' is too large a number ({len(str(abs(value)))} digits)",
                              "numbers must be below 10^308; for large amounts use a larger "
                              "unit, e.g. mnkr instead of kr")
    wanted = []
    for error in errors:
        label = _KINDS.get(error["type"], error["msg"].lower())
        if label not in wanted:
            wanted.append(label)
    raw = source.raw.get(path)
    got = _describe(first["input"], raw)
    message = f"'{name}' must be {' or '.join(wanted)}, not {got}"
    hint = ""
    if "text" in wanted and raw is not None:
        hint = f"put it in quotes: {name}: \"{raw}\""
    elif "text" in wanted and value is None:
        hint = "write the text after the colon, or remove the line"
    elif "a number" in wanted and isinstance(value, str):
        hint = ("YAML numbers use a decimal point and no unit: write 79.2, not 79,2 or 79,2 %"
                if any(c in value for c in ",% ") else "write a plain number such as 79.2")
    return source.problem(path, "wrong-type", message, hint)
