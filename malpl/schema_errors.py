"""Name every way loaded data does not fit the format, each where it was written.

The fast path (:func:`malpl.model.convert`, in C) stops at the first problem and
says little. Only when it fails, this module walks the data along the same
struct types and collects *every* problem, each with the path in the data, so
the line and column come from the positions recorded at load time, phrased in
the words of someone editing a YAML file. Whether a single value fits is still
decided by msgspec itself, so the walk and the fast path cannot disagree.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from malpl.i18n import N_, _
from malpl.model import END, NUMBER_LIMIT, convert
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

# What a value must be, translated where it is said.
TEXT, NUMBER, FINITE, WHOLE = N_("text"), N_("a number"), N_("a finite number"), N_("a whole number")
BOOL = N_("true or false")
MAPPING = N_("a mapping (indented 'key: value' lines)")
LIST = N_("a list (lines starting with '- ')")
_LABELS = {str: TEXT, float: NUMBER, int: WHOLE, bool: BOOL}


@dataclass
class Mismatch:
    """One place where the data does not fit: what kind of misfit, and what was wanted."""

    path: Path_
    kind: Literal["missing", "unknown", "choices", "pattern", "empty", "too-short", "range",
                  "digits", "wrong"]
    value: Any = None
    wanted: tuple[str, ...] = ()  # what the types hold, e.g. ("a number", MAPPING)
    detail: Any = None  # the allowed keys, the choices, the pattern or the (low, high) bounds


def _split(annotation: Any) -> tuple[Any, list[msgspec.Meta]]:
    """The type under ``Annotated``, and its constraints."""
    metas: list[msgspec.Meta] = []
    while typing.get_origin(annotation) is Annotated:
        base, *extras = typing.get_args(annotation)
        metas += [m for m in extras if isinstance(m, msgspec.Meta)]
        annotation = base
    return annotation, metas


def _container(value: Any) -> str | None:
    return "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else None


def _holds(annotation: Any) -> str | None:
    """Which kind of container a type is written as, if any."""
    base = _split(annotation)[0]
    if (isinstance(base, type) and issubclass(base, msgspec.Struct)) \
            or typing.get_origin(base) is dict:
        return "mapping"
    return "list" if typing.get_origin(base) is list else None


def mismatches(model: type[msgspec.Struct], data: Any) -> list[Mismatch]:
    """Every misfit of ``data`` against ``model``, in the order of the data."""
    found: list[Mismatch] = []
    _walk(model, data, (), found)
    return found


def _walk(annotation: Any, value: Any, path: Path_, found: list[Mismatch]) -> None:
    base, metas = _split(annotation)
    origin = typing.get_origin(base)
    if origin in (typing.Union, types.UnionType):
        _union(typing.get_args(base), value, path, found)
    elif isinstance(base, type) and issubclass(base, msgspec.Struct):
        _struct(base, value, path, found)
    elif origin is list:
        if not isinstance(value, list):
            found.append(Mismatch(path, "wrong", value, (LIST,)))
            return
        least = max((m.min_length or 0 for m in metas), default=0)
        if len(value) < least:
            found.append(Mismatch(path, "too-short", value, (LIST,)))
        (item,) = typing.get_args(base)
        for index, child in enumerate(value):
            _walk(item, child, (*path, index), found)
    elif origin is dict:
        if not isinstance(value, dict):
            found.append(Mismatch(path, "wrong", value, (MAPPING,)))
            return
        _, item = typing.get_args(base)
        for key, child in value.items():
            _walk(item, child, (*path, key), found)
    else:
        misfit = _scalar(annotation, base, metas, value)
        if misfit is not None:
            misfit.path = path
            found.append(misfit)


def _struct(model: type[msgspec.Struct], value: Any, path: Path_,
            found: list[Mismatch]) -> None:
    if not isinstance(value, dict):
        found.append(Mismatch(path, "wrong", value, (MAPPING,)))
        return
    fields = msgspec.structs.fields(model)
    for field in fields:
        if field.encode_name in value:
            _walk(field.type, value[field.encode_name], (*path, field.encode_name), found)
        elif field.required:
            found.append(Mismatch((*path, field.encode_name), "missing"))
    allowed = sorted(f.encode_name for f in fields)
    found += [Mismatch((*path, key), "unknown", detail=allowed)
              for key in value if key not in allowed]


def _union(members: tuple[Any, ...], value: Any, path: Path_, found: list[Mismatch]) -> None:
    options = [m for m in members if _split(m)[0] is not type(None)]
    if value is None and len(options) < len(members):
        return
    kind = _container(value)
    fitting = [m for m in options if kind and _holds(m) == kind]
    if len(options) == 1 or len(fitting) == 1:  # one reading is meant: its problems count
        _walk((fitting or options)[0], value, path, found)
        return
    tried = []
    for option in options:
        misfits: list[Mismatch] = []
        _walk(option, value, path, misfits)
        if not misfits:
            return
        tried.append(misfits[0])
    if tried[0].kind != "wrong":  # e.g. a number out of range: say that, not "a number or …"
        found.append(tried[0])
        return
    wanted = tuple(dict.fromkeys(label for misfit in tried for label in misfit.wanted))
    found.append(Mismatch(path, "wrong", value, wanted))


def _scalar(annotation: Any, base: Any, metas: list[msgspec.Meta], value: Any
            ) -> Mismatch | None:
    """Why one value does not fit a scalar type (None when it fits)."""
    try:
        convert(annotation, value)  # type: ignore[arg-type]
        return None
    except msgspec.ValidationError:
        pass
    if typing.get_origin(base) is Literal:
        return Mismatch((), "choices", value, (N_("one of the choices"),), typing.get_args(base))
    wanted = (_LABELS.get(base, getattr(base, "__name__", str(base))),)
    if base is str and isinstance(value, str):
        if any(m.min_length and len(value) < m.min_length for m in metas):
            return Mismatch((), "empty", value, wanted)
        pattern = next((m.pattern for m in metas if m.pattern), None)
        if pattern:
            return Mismatch((), "pattern", value, wanted, pattern)
    if base in (float, int) and not isinstance(value, bool):
        number = _number(base, value)
        if isinstance(number, Mismatch):
            return number
        if number is not None:
            low = max((m.ge for m in metas if m.ge is not None), default=-math.inf)
            high = min((m.le for m in metas if m.le is not None), default=math.inf)
            if not low <= number <= high:
                return Mismatch((), "range", value, wanted, (low, high, number))
    return Mismatch((), "wrong", value, wanted)


def _number(base: type, value: Any) -> float | int | Mismatch | None:
    """The number a value reads as (None: none), or why it cannot be one."""
    if isinstance(value, str):
        try:
            if not math.isfinite(float(value)):
                return Mismatch((), "wrong", value, (FINITE if base is float else WHOLE,))
        except ValueError:
            return None
        try:
            return convert(base, value)  # type: ignore[arg-type]
        except msgspec.ValidationError:
            return None
    if isinstance(value, float) and not math.isfinite(value):
        return Mismatch((), "wrong", value, (FINITE if base is float else WHOLE,))
    if base is float and isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return Mismatch((), "digits", value, (NUMBER,))
    if base is int and isinstance(value, float) and not value.is_integer():
        return None
    return value if isinstance(value, (int, float)) else None


# --- the words ------------------------------------------------------------------------


def _describe(value: Any, raw: str | None) -> str:
    if value is None:
        return _("empty")
    if isinstance(value, bool):
        return _("'{raw}' (read as true/false)").format(raw=raw) if raw else _("true/false")
    if isinstance(value, (int, float)):
        text = raw or str(value)
        return _("the number {number}").format(
            number=text if len(text) <= 30 else text[:27] + "…")
    if isinstance(value, str):
        short = value if len(value) <= 30 else value[:27] + "…"
        return _("the text '{text}'").format(text=short)
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    return type(value).__name__


def either(options: list[str]) -> str:
    """'a, b or c', in the language in use."""
    if len(options) == 1:
        return options[0]
    return _("{some} or {last}").format(some=", ".join(options[:-1]), last=options[-1])


def _choices(values: tuple[Any, ...]) -> str:
    return either([repr(v) for v in values])


def _bound(number: float) -> str:
    """1900 as 1900, but 1e15 as 1 000 000 000 000 000."""
    if not float(number).is_integer():
        return str(number)
    return f"{int(number):,}".replace(",", " ") if abs(number) >= 10_000 else str(int(number))


def suggest(name: str, allowed: list[str]) -> str:
    if name.lower() in _SWEDISH_FIELDS and _SWEDISH_FIELDS[name.lower()] in allowed:
        return _SWEDISH_FIELDS[name.lower()]
    close = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.6)
    return close[0] if close else ""


# What a key is called in Swedish, said beside the key itself ("kommentar (`comment`)");
# the English messages name the key alone.
_WORDS = {
    "comment": N_("`comment` (the comment)"), "assessment": N_("`assessment` (the assessment)"),
    "forecast": N_("`forecast` (the forecast)"), "title": N_("`title` (the title)"),
    "text": N_("`text` (the text)"), "id": N_("`id` (the id)"), "level": N_("`level` (the level)"),
    "name": N_("`name` (the name)"), "unit": N_("`unit` (the unit)"),
    "ready": N_("`ready` (ready for the report)"), "value": N_("`value` (the value)"),
    "responsible": N_("`responsible` (who is responsible)"), "parent": N_("`parent` (the goal above)"),
    "order": N_("`order` (the position)"), "label": N_("`label` (the name shown)"),
    "key": N_("`key` (the key)"), "color": N_("`color` (the colour)"),
}


def _field(name: str) -> str:
    """The key as the Swedish messages name it: its meaning and the key to type."""
    return _(_WORDS[name]) if name in _WORDS else f"`{name}`"


def _field_name(path: Path_) -> str:
    names = [str(p) for p in path if isinstance(p, str)]
    return names[-1] if names else _("the file")


def problems_from(source: Source, model: type[msgspec.Struct],
                  error: msgspec.ValidationError | None = None) -> list[Problem]:
    """One problem per place in ``source.data`` that does not fit ``model``.

    ``error`` is what the fast path said; it is reported only should the walk find
    nothing (which would be a bug in the walk, never a reason to drop a file quietly).
    """
    found: dict[Path_, Mismatch] = {}
    for misfit in mismatches(model, source.data):
        found.setdefault(misfit.path, misfit)
    # An unknown key that is a typo of a missing one is one mistake, not two.
    for path, misfit in list(found.items()):
        if misfit.kind == "unknown":
            guess = suggest(str(path[-1]), misfit.detail)
            twin = found.get((*path[:-1], guess))
            if guess and twin is not None and twin.kind == "missing":
                del found[twin.path]
    if not found and error is not None:
        return [source.problem((), "wrong-type", _("the file does not fit the format: {error}")
                               .format(error=error))]
    return [_problem(misfit, source) for misfit in found.values()]


def _problem(misfit: Mismatch, source: Source) -> Problem:
    path, kind, value = misfit.path, misfit.kind, misfit.value
    name = _field_name(path)
    field = _field(name)  # only the Swedish messages say it
    raw = source.raw.get(path)
    if kind == "missing":
        return source.problem(path, "missing-field",
                              _("missing required field '{name}'").format(name=name, field=field),
                              _("add a line '{name}: …' here").format(name=name, field=field))
    if kind == "unknown":
        guess = suggest(name, misfit.detail)
        hint = _("did you mean '{guess}'?").format(guess=guess) if guess else ""
        if misfit.detail:
            hint = (hint + " " if hint else "") + _("allowed here: {keys}").format(
                keys=", ".join(misfit.detail))
        return source.problem(path, "unknown-field",
                              _("unknown field '{name}'").format(name=name, field=field), hint, key=True)
    if kind == "choices":
        expected = _choices(misfit.detail)
        return source.problem(path, "invalid-value",
                              _("'{name}' must be one of {expected}, not {value}").format(
                                  name=name, field=field, expected=expected,
                                  value=_describe(value, raw)),
                              _("write one of {expected}").format(expected=expected))
    if kind == "pattern":
        return source.problem(path, "invalid-value",
                              _("'{name}' has the wrong form").format(name=name, field=field),
                              _("it must match {pattern}").format(
                                  pattern=misfit.detail.replace(END, "$")))
    if kind == "empty":
        return source.problem(path, "empty-text", _("'{name}' is empty").format(name=name, field=field),
                              _("write the {name} after the colon").format(name=name, field=field))
    if kind == "too-short":
        return source.problem(path, "invalid-value",
                              _("'{name}' must have at least one item").format(name=name, field=field),
                              _("add an item, or remove the key to use the default"))
    if kind == "range":
        low, high, number = misfit.detail
        shown = raw or str(value)
        if (low, high) == (-NUMBER_LIMIT, NUMBER_LIMIT) or abs(number) > NUMBER_LIMIT:
            return source.problem(path, "value-range",
                                  _("'{name}' is {value}, too large for malpl to compute "
                                    "with").format(name=name, field=field, value=shown),
                                  _("numbers must lie between -1 000 000 000 000 000 and "
                                    "1 000 000 000 000 000; check the value"))
        message = (_("'{name}' is {value}, below the lowest, {low}") if number < low
                   else _("'{name}' is {value}, above the highest, {high}"))
        return source.problem(path, "value-range",
                              message.format(name=name, field=field, value=shown, low=_bound(low),
                                             high=_bound(high)),
                              _("write a number from {low} to {high}").format(
                                  low=_bound(low), high=_bound(high)))
    if kind == "digits":
        return source.problem(path, "value-range",
                              _("'{name}' is too large a number ({digits} digits)").format(
                                  name=name, field=field, digits=len(str(abs(value)))),
                              _("numbers must be below 10^308; for large amounts use a larger "
                                "unit, e.g. mnkr instead of kr"))
    wanted = misfit.wanted
    hint = ""
    if TEXT in wanted and raw is not None:
        hint = _("put it in quotes: {name}: \"{raw}\"").format(name=name, field=field, raw=raw)
    elif TEXT in wanted and value is None:
        hint = _("write the text after the colon, or remove the line")
    elif NUMBER in wanted and isinstance(value, str):
        hint = (_("YAML numbers use a decimal point and no unit: write 79.2, not 79,2 or "
                  "79,2 %") if any(c in value for c in ",% ")
                else _("write a plain number such as 79.2"))
    elif BOOL in wanted:
        hint = _("write {name}: true (ja) or {name}: false (nej), without quotes").format(
            name=name)
    return source.problem(path, "wrong-type", _("'{name}' must be {wanted}, not {value}").format(
        name=name, field=field, wanted=either([_(w) for w in wanted]),
        value=_describe(value, raw)), hint)
