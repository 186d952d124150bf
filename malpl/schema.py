"""JSON Schema for goal files and ``malpl.yaml``, for editors (yaml-language-server)."""

from __future__ import annotations

import json
from typing import Any

from malpl.model import Config, Goal

SCHEMA_FILES = {"goal": "goal.schema.json", "config": "malpl.schema.json"}


def json_schema(kind: str = "goal") -> dict[str, Any]:
    model = {"goal": Goal, "config": Config}[kind]
    schema = model.model_json_schema()
    title = {"goal": "malpl: en målfil / a goal file",
             "config": "malpl: malpl.yaml, inställningar / settings"}[kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title, **{k: v for k, v in schema.items() if k != "title"}}


def json_schema_text(kind: str = "goal") -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
