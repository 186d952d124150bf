"""Extract malpl's messages, update the Swedish catalogues, compile them (Babel).

    python tools/catalogues.py            # extract, update every .po, compile every .mo
    python tools/catalogues.py --check    # exit 1 if a message lacks a translation or a
                                          # .mo is not the compiled .po (what a test runs)

Each part of the program has its own catalogue (``AREAS``), so that changes to different
parts never meet in one file. A new message appears in its part's ``.po`` with an empty
translation; write the Swedish there and run this again. The ``argparse`` catalogue holds
argparse's own words and is written by hand (nothing is extracted into it).
"""

from __future__ import annotations

import argparse
import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "malpl"
CATALOGUES = PACKAGE / "locale" / "sv" / "LC_MESSAGES"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
HAND_WRITTEN = {"argparse"}

#: Every module of the package in exactly one part.
AREAS: dict[str, list[str]] = {
    "cli": ["cli.py", "commands/__init__.py", "commands/common.py", "commands/completion.py",
            "output.py", "__init__.py", "__main__.py"],
    "check": ["checks.py", "schema_errors.py", "yamlsource.py", "problems.py", "parsing.py",
              "periods.py", "sources.py", "repository.py", "errors.py", "layout.py",
              "model.py", "schema.py", "checkcache.py", "commands/check.py"],
    "year": ["lifecycle/*.py", "files.py", "commands/year.py"],
    "history": ["diff.py", "textconv.py", "dating.py", "git.py", "versions.py",
                "commands/history.py"],
    "report": ["report/*.py", "site/*.py", "confined.py", "charts.py", "svgchart.py",
               "markdown.py", "commands/report.py"],
    "kolada": ["kolada/*.py", "commands/kolada.py"],
    "import": ["answers/*.py", "commands/answers.py"],
    "views": ["views.py", "snapshot.py", "measureviews.py", "indicators.py", "terminal.py", "swedish.py",
              "text.py", "record.py", "i18n.py", "spreadsheet.py", "spreadsheets/*.py",
              "commands/views.py"],
}


def area_files() -> dict[str, list[Path]]:
    """The modules of each part; a module in no part, or in two, is an error."""
    found: dict[str, list[Path]] = {}
    owner: dict[Path, str] = {}
    for area, patterns in AREAS.items():
        for pattern in patterns:
            for path in sorted(PACKAGE.glob(pattern)):
                if path in owner:
                    raise SystemExit(f"{path} is in both {owner[path]} and {area}")
                owner[path] = area
                found.setdefault(area, []).append(path)
    missing = [p for p in PACKAGE.rglob("*.py") if p not in owner]
    if missing:
        raise SystemExit("modules in no part of tools/catalogues.py AREAS: "
                         + ", ".join(str(p.relative_to(ROOT)) for p in missing))
    return found


def extracted(area: str, paths: list[Path]) -> Catalog:
    """The messages the code of ``area`` marks, as a template."""
    template = Catalog(domain=area, project="malpl")
    for path in paths:
        name = path.relative_to(ROOT).as_posix()
        for line, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            template.add(message, None, [(name, line)], auto_comments=comments,
                         context=context)
    return template


def po_path(area: str) -> Path:
    return CATALOGUES / f"{area}.po"


def read(area: str) -> Catalog:
    path = po_path(area)
    if not path.exists():
        return Catalog(locale="sv", domain=area, project="malpl")
    with path.open("rb") as handle:
        return tidy(read_po(handle, locale="sv", domain=area))


FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def tidy(catalog: Catalog) -> Catalog:
    """A header that says what the catalogue is and never changes by itself (no date of
    the run in it), so that compiling the same .po gives the same .mo."""
    catalog.project, catalog.version = "malpl", ""
    catalog.copyright_holder, catalog.msgid_bugs_address = "malpl", ""
    catalog.last_translator, catalog.language_team = "malpl", "Swedish"
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    catalog.fuzzy = False
    return catalog


def write(area: str, catalog: Catalog) -> None:
    with po_path(area).open("wb") as handle:
        write_po(handle, tidy(catalog), width=100, sort_output=False, include_previous=False)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    def empty(message: object) -> bool:
        text = message.string  # type: ignore[attr-defined]
        return not all(text) if isinstance(text, (tuple, list)) else not text

    return [str(m.id) for m in catalog if m.id and (empty(m) or m.fuzzy)]


def update() -> None:
    CATALOGUES.mkdir(parents=True, exist_ok=True)
    for area, paths in area_files().items():
        catalog = read(area)
        catalog.update(extracted(area, paths), no_fuzzy_matching=True)
        catalog.obsolete.clear()  # a message the code no longer has is not kept
        write(area, catalog)
    for path in sorted(CATALOGUES.glob("*.po")):
        catalog = read(path.stem)
        if path.stem in HAND_WRITTEN:
            write(path.stem, catalog)
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        left = untranslated(catalog)
        if left:
            print(f"{path.relative_to(ROOT)}: {len(left)} message(s) to translate")


def check() -> list[str]:
    """What is wrong with the committed catalogues, as lines to print."""
    faults = []
    for area, paths in area_files().items():
        catalog = read(area)
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        for message in extracted(area, paths):
            key = message.id if isinstance(message.id, str) else message.id[0]
            if message.id and key not in known:
                faults.append(f"{po_path(area).name}: not extracted yet: {key!r}")
        faults += [f"{po_path(area).name}: no Swedish for {m!r}" for m in untranslated(catalog)]
    for path in sorted(CATALOGUES.glob("*.po")):
        mo = path.with_suffix(".mo")
        if area_known(path.stem) and (not mo.exists()
                                      or mo.read_bytes() != compiled(read(path.stem))):
            faults.append(f"{mo.name} is not the compiled {path.name}")
    return faults


def area_known(area: str) -> bool:
    return area in AREAS or area in HAND_WRITTEN


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check only; write nothing")
    if parser.parse_args().check:
        faults = check()
        print("\n".join(faults) or "catalogues are complete and compiled")
        return 1 if faults else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main())
