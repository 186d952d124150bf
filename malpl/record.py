"""Records: the plain data the views hand to whatever shows them.

A record is a msgspec struct rather than a dataclass: a struct's class is made in C,
where a dataclass writes and compiles Python for its methods as its module is
imported (~0.5 ms a class; the report's records took a twentieth of a short report).
A template may read a record's fields and its properties, nothing else.
"""

from __future__ import annotations

from functools import cache

import msgspec


class Record(msgspec.Struct):
    """Base of the views' records: what :func:`malpl.markdown.safe` lets a template read."""


@cache
def readable(kind: type[Record]) -> tuple[str, ...]:
    """What a template may read of a record: its fields, then its properties."""
    return kind.__struct_fields__ + tuple(
        name for name in dir(kind) if isinstance(getattr(kind, name), property))


def as_dict(record: Record) -> dict:
    """A record as JSON-ready dicts and lists, records inside it too."""
    return msgspec.to_builtins(record)
