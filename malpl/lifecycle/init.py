"""``malpl init``: a new goals repository that passes ``malpl check`` at once.

Every setting is written out and commented (in Swedish, in English with
``MALPL_LANG=en``), so the controller sees what can be changed without reading
the docs. The report's own words (its title, levels, scale, labels and the
example goals) are Swedish whatever the language, as the report is. Text given on the command line
(the municipality's name, a body's name) is written as a JSON string, which
YAML reads back exactly, whatever it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from malpl import __version__, files
from malpl.i18n import N_, _
from malpl.lifecycle.edit import Plan
from malpl.model import BodyKind, Word, convert, slug
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
            raise UsageError(_("'{text}' is not a body").format(text=text),
                             _("write KEY:NAME or KEY:NAME:KIND, e.g. tn:Tekniska nämnden:namnd"))
        key, name = parts[0].strip(), parts[1].strip()
        kind = parts[2].strip() if len(parts) == 3 else "namnd"
        if key != slug(key):
            raise UsageError(_("'{key}' cannot be a body key (it is also a folder name)").format(
                key=key), _("use lower-case letters, digits and '-', e.g. {key}").format(
                    key=slug(key)))
        if kind not in KINDS:
            raise UsageError(_("'{kind}' is not a kind of body").format(kind=kind),
                             _("write one of: {kinds}").format(kinds=", ".join(KINDS)))
        return cls(key, name, kind)


DEFAULT_BODIES = [BodySpec("kf", "Kommunfullmäktige", "fullmaktige"),
                  BodySpec("ks", "Kommunstyrelsen", "styrelse")]


#: The project's repository: the pre-commit hook installs malpl from it by default.
PROJECT_URL = "https://github.com/malpl/malpl"


@dataclass
class Settings:
    name: str = "Kommunen"
    kolada_id: str | None = None
    bodies: list[BodySpec] = field(default_factory=lambda: list(DEFAULT_BODIES))
    scheme: str = "tertial"
    # Pinned to the malpl that writes the files, so that CI checks as it did.
    install_from: str = f"malpl=={__version__}"
    hook_repo: str = PROJECT_URL
    hook_rev: str = f"v{__version__}"


def s(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (a JSON string is YAML)."""
    return json_text(text)


def _comment(message: str) -> str:
    """``message`` translated, as ``#`` lines of a written file, wrapped to fit an editor."""
    import textwrap

    return "".join(f"# {line}\n" for line in textwrap.wrap(_(message), 84,
                                                             break_on_hyphens=False))


def config_text(settings: Settings) -> str:
    kolada = s(settings.kolada_id) if settings.kolada_id else "null"
    bodies = "".join(
        f"  - key: {s(b.key)}\n    name: {s(b.name)}\n    kind: {b.kind}\n"
        for b in settings.bodies)
    prefix, count, _name = SCHEMES[settings.scheme]
    said = {
        "name": _("the municipality's name, as the report shows it"),
        "kolada": _('the municipality code in Kolada, e.g. "2260" (in quotes)'),
        "title": _("the report's heading"),
        "language": _("what malpl says: sv (Swedish) or en (English)"),
        "from": _("what CI installs with pip"),
        "repo": _("the repository pre-commit installs malpl from"),
        "rev": _("the version's tag there"),
    }
    own = _("names of your own, e.g. {example}").format(example=f"{prefix}{count}: Årsredovisning")
    dates = _("the reports' dates, e.g. {example}").format(example=f'{prefix}1-2025: "2025-05-20"')
    return (
        "# yaml-language-server: $schema=schema/malpl.schema.json\n"
        + _comment(N_("Settings of the goals repository. Every setting is written here with "
                      "its default value; change what differs in your municipality. The format "
                      "is described in docs/format.md in malpl."))
        + f"""
organisation:
  name: {s(settings.name)}          # {said["name"]}
  kolada_id: {kolada}               # {said["kolada"]}

title: Uppföljning av mål          # {said["title"]}
language: sv                        # {said["language"]}

"""
        + _comment(N_("Fullmäktige, the board, the committees and the companies, in the "
                      "report's order. The key is also the folder's name under goals/. "
                      "kind: fullmaktige, styrelse, namnd, bolag or annan."))
        + f"bodies:\n{bodies}\n"
        + _comment(N_("Goal levels, highest first. A goal file names its level by its key "
                      "(level: …)."))
        + """levels:
  - key: inriktningsmal
    label: Inriktningsmål
  - key: utvecklingsmal
    label: Utvecklingsmål

"""
        + _comment(N_("The assessment scale, best first. A colour as #rrggbb with at least "
                      "3:1 contrast against white; each step its own symbol, so that the "
                      "steps are told apart in grey and without colour vision (\"Ej bedömd\", "
                      "not assessed, is shown with ○). A step that is not a judgement (such as "
                      "\"Kan ej bedömas\") gets assessed: false."))
        + """scale:
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

"""
        + _comment(N_("Headings and words in the report."))
        + """labels:
  target: Utvecklingsmål
  comment: Kommentar
  measures: Mått
  no_comment: Ingen kommentar
  unassessed: Ej bedömd
  summary: Måluppfyllelse

"""
        + _comment(N_("How the year is divided into follow-up periods (scheme): tertial "
                      "(T1–T3), kvartal (K1–K4) or halvar (H1–H2)."))
        + f"""periods:
  scheme: {settings.scheme}
  labels: {{}}                      # {own}
  dates: {{}}                       # {dates}

"""
        + _comment(N_("Where CI and the pre-commit hook get malpl: malpl==0.1.0 from a package "
                      "index, git+https://github.com/malpl/malpl@v0.1.0 from git, or a wheel "
                      "file in the repository (wheels/malpl-0.1.0-py3-none-any.whl). malpl "
                      "init wrote .github/workflows/malpl.yml, .gitlab-ci.yml and "
                      ".pre-commit-config.yaml from it: when you change it, change them too."))
        + f"""install:
  from: {s(settings.install_from)}  # {said["from"]}
  hook:
    repo: {s(settings.hook_repo)}  # {said["repo"]}
    rev: {s(settings.hook_rev)}  # {said["rev"]}
""")


def goal_text(ident: str, level: str, body: BodySpec, parent: str | None) -> str:
    serves, who = _("the goal it serves"), _("who is responsible, e.g. Kommundirektör")
    parent_line = f"parent: {s(parent)}                # {serves}\n" if parent else ""
    return ("# yaml-language-server: $schema=../../schema/goal.schema.json\n"
            + _comment(N_("An example to replace: one goal per file. The format is described "
                          "in docs/format.md in malpl."))
            + f"""id: {s(ident)}
title: {s(f"Ett exempelmål för {body.name}; skriv ert eget här.")}
level: {level}
{parent_line}responsible: null             # {who}
targets:
  - id: {s(ident + ".1")}
    text: Ett utvecklingsmål under målet; ta bort eller skriv om det.
""")


def gitignore() -> str:
    return (_comment(N_("What malpl makes: the reports and the website are made again from "
                        "the goal files at any time."))
            + "/reports/\n/site/\n"
            + _comment(N_("Temporary files while malpl writes a file (left only when malpl "
                          "was stopped half-way)."))
            + f"{files.GITIGNORE}\n")


def gitattributes() -> str:
    return (_comment(N_("Show changes to goal files as goals, not as YAML (malpl textconv, a "
                        "diff driver: a program git asks to show a file)."))
            + _comment(N_("Each clone (copy of the repository) also needs, once: git config "
                          "diff.malpl.textconv \"malpl textconv\" (with malpl in PATH, else "
                          "the whole path, e.g. \"/path/.venv/bin/malpl textconv\")."))
            + "goals/**/*.yaml diff=malpl\ngoals/**/*.yml diff=malpl\n")


VSCODE = """\
{
  "yaml.schemas": {
    "./schema/goal.schema.json": ["goals/**/*.yaml", "goals/**/*.yml"],
    "./schema/malpl.schema.json": ["malpl.yaml"]
  }
}
"""

INSTALL_COMMENT = N_("It installs malpl as install.from in malpl.yaml says: change both "
                     "together.")


def pip_install(spec: str) -> str:
    """``pip install`` of ``spec`` as a YAML scalar: one shell word, however it is written."""
    import shlex

    import yaml

    command = f"pip install {shlex.quote(spec)}"
    plain = yaml.safe_load(f"k: {command}") == {"k": command}
    return command if plain else s(command)


GITHUB = """\
name: malpl
on: [push, pull_request]
jobs:
  goals:
    runs-on: ubuntu-latest
    permissions: {{contents: read, pull-requests: write}}
    steps:
      - uses: actions/checkout@v4
        with: {{fetch-depth: 0}}
      - uses: actions/setup-python@v5
        with: {{python-version: "3.12"}}
      - run: {install}
      - run: malpl check --format github
      - if: github.event_name == 'pull_request'
        run: malpl diff "origin/${{{{ github.base_ref }}}}...HEAD" --format md > goal-diff.md
      - if: github.event_name == 'pull_request'
        run: gh pr comment "${{{{ github.event.number }}}}" --body-file goal-diff.md
        env: {{GH_TOKEN: "${{{{ github.token }}}}"}}
"""
GITHUB_COMMENT = N_("Check the goal files and show the change in goal terms on every pull "
                    "request.")

GITLAB = """\
malpl:
  image: python:3.12
  variables: {{GIT_DEPTH: "0"}}
  before_script:
    - {install}
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
GITLAB_COMMENT = N_("Check the goal files (a code quality report) and show the change in goal "
                    "terms on every merge request. Set the variable MALPL_TOKEN (a project "
                    "token with api) to get the change as a comment.")

PRE_COMMIT = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: malpl-check
"""
PRE_COMMIT_COMMENT = N_("pre-commit (https://pre-commit.com): check the goal files before "
                        "every commit. pre-commit installs malpl itself, from the repository and "
                        "version that install.hook in malpl.yaml names.")


def _check_install(settings: Settings) -> None:
    """Where malpl comes from must be what malpl.yaml accepts: one word each, no option."""
    import msgspec

    for option, value in (("--install-from", settings.install_from),
                          ("--hook-repo", settings.hook_repo), ("--hook-rev", settings.hook_rev)):
        try:
            convert(Word, value)
        except msgspec.ValidationError:
            raise UsageError(_("{option} '{value}' is not something pip or pre-commit can read")
                             .format(option=option, value=value),
                             _("write it without spaces and not starting with '-', e.g. {example}")
                             .format(example=f"malpl=={__version__}")) from None


def plan_init(root: Path, settings: Settings) -> Plan:
    """Every file of a new repository; refuses (before writing) if any of them exists."""
    if settings.scheme not in SCHEMES:
        raise UsageError(_("'{scheme}' is not a way to divide the year into periods").format(
            scheme=settings.scheme), _("write one of: {schemes}").format(
                schemes=", ".join(SCHEMES)))
    _check_install(settings)
    keys = [b.key for b in settings.bodies]
    if not keys or len(set(keys)) != len(keys):
        raise UsageError(_("each body needs its own key"),
                         _("give --body KEY:NAME once per body"))
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
    add(".gitattributes", gitattributes())
    add(".gitignore", gitignore())
    add(".vscode/settings.json", VSCODE)
    install = pip_install(settings.install_from)
    add(".github/workflows/malpl.yml", _comment(GITHUB_COMMENT) + _comment(INSTALL_COMMENT)
        + GITHUB.format(install=install))
    add(".gitlab-ci.yml", _comment(GITLAB_COMMENT) + _comment(INSTALL_COMMENT)
        + GITLAB.format(install=install))
    add(".pre-commit-config.yaml", _comment(PRE_COMMIT_COMMENT) + PRE_COMMIT.format(
        repo=s(settings.hook_repo), rev=s(settings.hook_rev)))
    return plan


def init(root: Path, settings: Settings, *, git: bool = False) -> list[str]:
    """Write the repository; with ``git``, make it a git repository with a first commit."""
    from malpl.lifecycle import vcs

    names = plan_init(root, settings).apply()
    if git:
        vcs.init_and_commit(root, names, _("New goals repository (malpl init)"))
    return names
