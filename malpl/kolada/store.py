"""The pulled files on disk: read them with positions, write them stably and atomically.

The text of a file depends only on its content (keys sorted, numbers as
Python writes them), so pulling unchanged figures writes no byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from malpl import files
from malpl.i18n import N_, _
from malpl.kolada.data import GENDERS, KOLADA_DIR, YEAR, KoladaData, KoladaFile
from malpl.kolada.ids import is_entity, is_ou
from malpl.model import plain
from malpl.parsing import parse_model
from malpl.problems import Problem
from malpl.yamlsource import Source

HEADER = ("# Hämtat från Kolada (Källa: Kolada) med 'malpl kolada pull'. Ändra inte för hand:\n"
          "# nästa hämtning skriver om filen. Egna värden skrivs i målfilen och går före.\n")
REPULL = N_("the files in data/kolada/ are written by 'malpl kolada pull', not by hand: "
            "delete the file and pull again")


def is_kolada_path(path: str) -> bool:
    """True for ``data/kolada/….yaml``, on disk or in a revision ('REV:data/kolada/…')."""
    plain = path.split(":", 1)[1] if ":" in path else path
    return plain.startswith(KOLADA_DIR + "/") and plain.endswith((".yaml", ".yml"))


def load(sources: Iterable[Source]) -> tuple[KoladaData, list[Problem]]:
    """Parse read sources into files; what does not fit becomes a problem on its source."""
    data = KoladaData()
    problems: list[Problem] = []
    for source in sources:
        parsed = parse_model(KoladaFile, source)
        misnamed = _misnamed(parsed, source) if parsed is not None else []
        source.problems += misnamed
        problems.extend(source.problems)
        if parsed is not None and not misnamed:
            data.files[parsed.kpi] = parsed
            data.sources[parsed.kpi] = source
    return data, problems


def _misnamed(file: KoladaFile, source: Source) -> list[Problem]:
    """Each cell named by what is not an id, a gender or a year of four ASCII digits ('²',
    '٢٠٢٢' or 23 digits): every view of the file would fail on it, so the file is not used."""
    found = []
    for table, cells in (("values", file.values), ("status", file.status)):
        for entity, genders in cells.items():
            if not (is_entity(entity) or is_ou(entity)):
                found.append(source.problem((table, entity), "invalid-value",
                                            _("'{id}' is not a Kolada id").format(id=entity),
                                            _(REPULL), key=True))
            for gender, years in genders.items():
                if gender not in GENDERS:
                    found.append(source.problem((table, entity, gender), "invalid-value",
                                                _("'{gender}' is not a gender (T, K or M)")
                                                .format(gender=gender), _(REPULL), key=True))
                found += [source.problem((table, entity, gender, year), "invalid-value",
                                         _("'{year}' is not a year").format(year=year),
                                         _(REPULL), key=True)
                          for year in years if not YEAR.fullmatch(year)]
    return found


def render(file: KoladaFile) -> str:
    """The file's text: the same content always gives the same bytes."""
    import yaml

    data = plain(file)  # without the defaults (KoladaFile omits them), but always 'known'
    data.setdefault("known", file.known)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=True, default_flow_style=False,
                          width=100)
    return HEADER + body


def file_path(root: Path, kpi: str) -> Path:
    return root / KOLADA_DIR / f"{kpi}.yaml"


def writable(root: Path, kpis: Iterable[str]) -> None:
    """Refuse, before anything is written, to write the pulled files anywhere but in the
    repository's own data/kolada/: a committed link must neither send a pull elsewhere nor
    be replaced by a file."""
    from malpl.errors import MalplError

    for name in ("data", KOLADA_DIR):
        folder = root / name
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise MalplError(_("{name} is not a folder but a link or a file; malpl writes "
                               "pulled figures only into a folder of the repository").format(
                                   name=name),
                             _("replace it with a folder: remove {name} and pull again").format(
                                 name=name))
    for kpi in kpis:
        path = file_path(root, kpi)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            shown = f"{KOLADA_DIR}/{kpi}.yaml"
            raise MalplError(_("{path} is not a regular file (a link, a folder, pipe or "
                               "device); malpl does not write through it").format(path=shown),
                             _("remove {path} and pull again").format(path=shown))


def differs(root: Path, file: KoladaFile) -> bool:
    """Whether writing ``file`` would change the bytes on disk."""
    path = file_path(root, file.kpi)
    return not (path.is_file() and path.read_bytes() == render(file).encode("utf-8"))


def write(root: Path, file: KoladaFile) -> bool:
    """Write when the text differs from what is there; return whether anything was written."""
    if not differs(root, file):
        return False
    path = file_path(root, file.kpi)
    text = render(file).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    files.replace(path, text)
    return True
