"""JSON Schema for goal files and ``malpl.yaml``, for editors (yaml-language-server)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import msgspec

from malpl.model import Config, Goal

SCHEMA_FILES = {"goal": "goal.schema.json", "config": "malpl.schema.json"}


def json_schema(kind: str = "goal") -> dict[str, Any]:
    """The struct's schema (draft 2020-12) with the top struct at the root, not behind a $ref."""
    model = {"goal": Goal, "config": Config}[kind]
    generated = msgspec.json.schema(model)
    defs = generated["$defs"]
    for struct in defs.values():  # docstrings as written in the class, not indented
        if "description" in struct:
            struct["description"] = inspect.cleandoc(struct["description"])
    root = defs.pop(model.__name__)
    title = {"goal": "malpl: en målfil / a goal file",
             "config": "malpl: malpl.yaml, inställningar / settings"}[kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **{k: v for k, v in root.items() if k != "title"}, "$defs": defs}


def json_schema_text(kind: str = "goal") -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
