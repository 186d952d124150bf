"""Pulled Kolada figures as values: one :class:`KoladaFile` per KPI, no I/O here.

A file holds what Kolada published for the municipality, its comparisons and
its units, by gender (T total, K women, M men) and year, with the date the
figures last changed in the repository and Kolada's own description of the KPI.
"""

import re
from typing import TYPE_CHECKING, Annotated

import msgspec

from malpl import swedish
from malpl.i18n import N_, _
from malpl.model import END, Config, Measure, Number, Strict, _d

if TYPE_CHECKING:
    from malpl.yamlsource import Source

KOLADA_DIR = "data/kolada"
YEAR = re.compile("[0-9]{4}")  # ASCII only: '٢٠٢٢' and '²' are digits to str.isdigit()
GENDERS = {"T": N_("total"), "K": N_("women"), "M": N_("men")}
Scalar = str | int | float | bool | None


class KoladaFile(Strict, omit_defaults=True):
    """``data/kolada/KPI.yaml``, written by ``malpl kolada pull`` (which leaves out defaults)."""

    kpi: Annotated[str, msgspec.Meta(pattern=r"^[NUV][0-9]{5}" + END),
                   _d("Nyckeltalets id", "The KPI id")]
    fetched: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}" + END), _d(
        "Dagen värdena senast ändrades i filen (ÅÅÅÅ-MM-DD)",
        "The day the figures last changed in the file (YYYY-MM-DD)")]
    known: Annotated[bool, _d(
        "false när Kolada inte känner nyckeltalet", "false when Kolada does not know the KPI")] = True
    metadata: Annotated[dict[str, Scalar], _d(
        "Koladas beskrivning av nyckeltalet", "Kolada's description of the KPI")] = \
        msgspec.field(default_factory=dict)
    names: Annotated[dict[str, str], _d(
        "Namn per kommun, grupp eller enhet", "Name of each municipality, group or unit")] = \
        msgspec.field(default_factory=dict)
    unknown: Annotated[list[str], _d(
        "Efterfrågade id som Kolada inte känner", "Requested ids Kolada does not know")] = \
        msgspec.field(default_factory=list)
    values: Annotated[dict[str, dict[str, dict[str, Number | None]]], _d(
        "Värden per kommun/grupp/enhet, kön (T, K, M) och år; null = ej publicerat",
        "Values by municipality/group/unit, gender (T, K, M) and year; null = not published")] = \
        msgspec.field(default_factory=dict)
    status: Annotated[dict[str, dict[str, dict[str, str]]], _d(
        "Koladas statusflagga där den finns", "Kolada's status flag where there is one")] = \
        msgspec.field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.kpi)

    @property
    def by_gender(self) -> bool:
        return bool(self.metadata.get("is_divided_by_gender"))

    def series(self, entity: str, gender: str = "T") -> dict[str, float]:
        """The published values of one municipality, group or unit (nulls left out)."""
        cells = self.values.get(entity, {}).get(gender, {})
        return {year: value for year, value in cells.items() if value is not None}

    def name(self, entity: str) -> str:
        return self.names.get(entity, entity)


class KoladaData(msgspec.Struct):
    """Every pulled file, by KPI id, with the source each was read from (for positions)."""

    files: dict[str, KoladaFile] = msgspec.field(default_factory=dict)
    sources: dict[str, "Source"] = msgspec.field(default_factory=dict)

    def get(self, kpi: str | None) -> KoladaFile | None:
        return self.files.get(kpi) if kpi else None

    def path(self, kpi: str) -> str:
        source = self.sources.get(kpi)
        return source.path if source is not None else f"{KOLADA_DIR}/{kpi}.yaml"


class Change(msgspec.Struct):
    kpi: str
    name: str
    gender: str
    year: str
    old: float | None
    new: float | None
    present_before: bool
    present_after: bool

    @property
    def kind(self) -> str:
        """What happened to the figure, said in the language in use."""
        if not self.present_before:
            return _("new")
        return _("deleted") if not self.present_after else _("revised")

    def line(self) -> str:
        who = self.name + ("" if self.gender == "T" else f", {_(GENDERS[self.gender])}")
        return _("{kpi} {who} {year}: {old} → {new} ({kind})").format(
            kpi=self.kpi, who=who, year=self.year, old=_shown(self.old), new=_shown(self.new),
            kind=self.kind)


def _shown(value: float | None) -> str:
    return "–" if value is None else swedish.number(value)


def changes(old: KoladaFile | None, new: KoladaFile) -> list[Change]:
    before = old.values if old else {}
    found = []
    for entity in sorted(before.keys() | new.values.keys()):
        a, b = before.get(entity, {}), new.values.get(entity, {})
        genders = sorted(a.keys() | b.keys(), key=lambda g: ("TKM".find(g), g))
        years = {year for g in genders for year in (*a.get(g, {}), *b.get(g, {}))}
        for year in sorted(years):
            for gender in genders:
                x, y = a.get(gender, {}), b.get(gender, {})
                if year not in x and year not in y:
                    continue
                if year in x and year in y and x[year] == y[year]:
                    continue
                found.append(Change(new.kpi, new.name(entity), gender, year, x.get(year),
                                    y.get(year), year in x, year in y))
    return found


def own_series(config: Config, measure: Measure, file: KoladaFile) -> dict[str, float]:
    """Kolada's figures for the measure's own municipality, or its unit (``ou``)."""
    return file.series(measure.ou or config.organisation.kolada_id or "")
