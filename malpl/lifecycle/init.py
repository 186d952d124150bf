"""``malpl init``: a new goals repository that passes ``malpl check`` at once.

Every setting is written out and commented in Swedish, so the controller sees
what can be changed without reading the docs. Text given on the command line
(the municipality's name, a body's name) is written as a JSON string, which
YAML reads back exactly, whatever it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from malpl import files
from malpl.lifecycle.edit import Plan
from malpl.model import BodyKind, slug
from malpl.output import json_text
from malpl.periods import SCHEMES
from malpl.repository import UsageError
from malpl.schema import SCHEMA_FILES, json_schema_text

KINDS: tuple[str, ...] = BodyKind.__args__  # type: ignore[attr-defined]


@dataclass
class BodySpec:
    key: str
    name: str
    kind: str = "namnd"

    @classmethod
    def parse(cls, text: str) -> BodySpec:
        """``ks:Kommunstyrelsen:styrelse`` (the kind may be left out: namnd)."""
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
            raise UsageError(f"'{text}' is not a body", "write KEY:NAME or KEY:NAME:KIND, e.g. "
                             "tn:Tekniska nämnden:namnd")
        key, name = parts[0].strip(), parts[1].strip()
        kind = parts[2].strip() if len(parts) == 3 else "namnd"
        if key != slug(key):
            raise UsageError(f"'{key}' cannot be a body key (it is also a folder name)",
                             f"use lower-case letters, digits and '-', e.g. {slug(key)}")
        if kind not in KINDS:
            raise UsageError(f"'{kind}' is not a kind of body", "kinds: " + ", ".join(KINDS))
        return cls(key, name, kind)


DEFAULT_BODIES = [BodySpec("kf", "Kommunfullmäktige", "fullmaktige"),
                  BodySpec("ks", "Kommunstyrelsen", "styrelse")]


@dataclass
class Settings:
    name: str = "Kommunen"
    kolada_id: str | None = None
    bodies: list[BodySpec] = field(default_factory=lambda: list(DEFAULT_BODIES))
    scheme: str = "tertial"


def s(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (a JSON string is YAML)."""
    return json_text(text)


def config_text(settings: Settings) -> str:
    kolada = s(settings.kolada_id) if settings.kolada_id else "null"
    bodies = "".join(
        f"  - key: {s(b.key)}\n    name: {s(b.name)}\n    kind: {b.kind}\n"
        for b in settings.bodies)
    prefix, count, _ = SCHEMES[settings.scheme]
    return f"""\
# yaml-language-server: $schema=schema/malpl.schema.json
# Inställningar för målrepositoriet. Alla inställningar står här med sina
# standardvärden; ändra det som skiljer er kommun från dem. Formatet: docs/format.md i malpl.

organisation:
  name: {s(settings.name)}          # kommunens namn, som det står i rapporten
  kolada_id: {kolada}               # kommunkoden i Kolada, t.ex. "2260" (inom citattecken)

title: Uppföljning av mål          # rapportens rubrik

# Fullmäktige, styrelse, nämnder och bolag, i rapportens ordning. Nyckeln (key)
# är också mappens namn under goals/. kind: fullmaktige, styrelse, namnd, bolag
# eller annan.
bodies:
{bodies}
# Målnivåer, högsta först. Målfilerna anger nivån med nyckeln (level: …).
levels:
  - key: inriktningsmal
    label: Inriktningsmål
  - key: utvecklingsmal
    label: Utvecklingsmål

# Bedömningsskalan, bästa först. Färg som #rrggbb, med minst 3:1 kontrast mot vitt;
# varje steg sin egen symbol, så att stegen skiljs åt i gråskala och utan färgseende
# ("Ej bedömd" visas med ○). Ett steg som inte är en bedömning (t.ex. "Kan ej
# bedömas") får assessed: false.
scale:
  - key: uppfyllt
    label: Uppfyllt
    color: "#2e7d32"
    symbol: "●"
  - key: delvis_uppfyllt
    label: Delvis uppfyllt
    color: "#c77700"
    symbol: "▲"
  - key: ej_paborjat
    label: Ej påbörjat
    color: "#455a64"
    symbol: "□"
  - key: ej_uppfyllt
    label: Ej uppfyllt
    color: "#c62828"
    symbol: "■"

# Rubriker och ord i rapporten.
labels:
  target: Utvecklingsmål
  comment: Kommentar
  measures: Mått
  no_comment: Ingen kommentar
  unassessed: Ej bedömd
  summary: Måluppfyllelse

# Perioder: tertial (T1–T3), kvartal (K1–K4) eller halvar (H1–H2).
periods:
  scheme: {settings.scheme}
  labels: {{}}                      # egna namn, t.ex. {prefix}{count}: Årsredovisning
  dates: {{}}                       # rapportens datum, t.ex. {prefix}1-2025: "2025-05-20"
"""


def goal_text(ident: str, level: str, body: BodySpec, parent: str | None) -> str:
    parent_line = f"parent: {s(parent)}                # målet det bidrar till\n" if parent else ""
    return f"""\
# yaml-language-server: $schema=../../schema/goal.schema.json
# Ett exempel att ersätta: ett mål per fil. Formatet: docs/format.md i malpl.
id: {s(ident)}
title: Ett exempelmål för {body.name}; skriv ert eget här.
level: {level}
{parent_line}responsible: null             # ansvarig, t.ex. Kommundirektör
targets:
  - id: {s(ident + ".1")}
    text: Ett utvecklingsmål under målet; ta bort eller skriv om det.
"""


GITIGNORE = f"""\
# Det malpl skapar: rapporter och webbplatsen byggs om från målfilerna när som helst.
/reports/
/site/
# Tillfälliga filer medan malpl skriver en fil (kvar bara om malpl stoppades mitt i).
{files.GITIGNORE}
"""

GITATTRIBUTES = """\
# Visa ändringar i målfiler som mål, inte som YAML (malpl textconv).
# Varje klon behöver också en gång:  git config diff.malpl.textconv "malpl textconv"
# (med malpl i PATH, annars hela sökvägen, t.ex. "/sökväg/.venv/bin/malpl textconv").
goals/**/*.yaml diff=malpl
goals/**/*.yml diff=malpl
"""

VSCODE = """\
{
  "yaml.schemas": {
    "./schema/goal.schema.json": ["goals/**/*.yaml", "goals/**/*.yml"],
    "./schema/malpl.schema.json": ["malpl.yaml"]
  }
}
"""

GITHUB = """\
# Kontrollera målfilerna och visa ändringen i mål på varje pull request.
name: malpl
on: [push, pull_request]
jobs:
  goals:
    runs-on: ubuntu-latest
    permissions: {contents: read, pull-requests: write}
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - run: pip install malpl
      - run: malpl check --format github
      - if: github.event_name == 'pull_request'
        run: malpl diff "origin/${{ github.base_ref }}...HEAD" --format md > goal-diff.md
      - if: github.event_name == 'pull_request'
        run: gh pr comment "${{ github.event.number }}" --body-file goal-diff.md
        env: {GH_TOKEN: "${{ github.token }}"}
"""

GITLAB = """\
# Kontrollera målfilerna (kodkvalitetsrapport) och visa ändringen i mål på
# varje merge request. Sätt variabeln MALPL_TOKEN (ett projekt-token med api)
# för att få ändringen som kommentar.
malpl:
  image: python:3.12
  variables: {GIT_DEPTH: "0"}
  before_script:
    - pip install malpl
  script:
    - malpl check --format gitlab > gl-code-quality-report.json || true
    - malpl check
    - |
      if [ -n "$CI_MERGE_REQUEST_IID" ]; then
        git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
        malpl diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME...HEAD" --format md > goal-diff.md
        if [ -n "$MALPL_TOKEN" ]; then
          curl --fail --silent --header "PRIVATE-TOKEN: $MALPL_TOKEN" \\
            --data-urlencode "body@goal-diff.md" \\
            "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
        fi
      fi
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): kontrollera målfilerna före varje commit.
repos:
  - repo: local
    hooks:
      - id: malpl-check
        name: malpl check
        entry: malpl check
        language: system
        pass_filenames: false
        files: ^(goals/.*\\.ya?ml|malpl\\.yaml)$
"""


def plan_init(root: Path, settings: Settings) -> Plan:
    """Every file of a new repository; refuses (before writing) if any of them exists."""
    if settings.scheme not in SCHEMES:
        raise UsageError(f"'{settings.scheme}' is not a period scheme",
                         "schemes: " + ", ".join(SCHEMES))
    keys = [b.key for b in settings.bodies]
    if not keys or len(set(keys)) != len(keys):
        raise UsageError("each body needs its own key", "give --body KEY:NAME once per body")
    plan = Plan(root)

    def add(name: str, text: str) -> None:
        plan.create(root / name, name, text)

    add("malpl.yaml", config_text(settings))
    top = f"{settings.bodies[0].key}.1"
    for i, body in enumerate(settings.bodies):
        level, parent = ("inriktningsmal", None) if i == 0 else ("utvecklingsmal", top)
        ident = f"{body.key}.1"
        add(f"goals/{body.key}/{ident}.yaml", goal_text(ident, level, body, parent))
    for kind, name in SCHEMA_FILES.items():
        add(f"schema/{name}", json_schema_text(kind))
    add(".gitattributes", GITATTRIBUTES)
    add(".gitignore", GITIGNORE)
    add(".vscode/settings.json", VSCODE)
    add(".github/workflows/malpl.yml", GITHUB)
    add(".gitlab-ci.yml", GITLAB)
    add(".pre-commit-config.yaml", PRE_COMMIT)
    return plan


def init(root: Path, settings: Settings, *, git: bool = False) -> list[str]:
    """Write the repository; with ``git``, make it a git repository with a first commit."""
    from malpl.lifecycle import vcs

    names = plan_init(root, settings).apply()
    if git:
        vcs.init_and_commit(root, names, "Nytt målrepositorium (malpl init)")
    return names
