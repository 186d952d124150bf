"""The file format as pydantic models: one goal file, and ``malpl.yaml``.

These models are the single definition of the format. They validate loaded
data, and ``malpl schema`` exports them as JSON Schema for editors, so every
field carries a description in Swedish and English ("sv / en").
Cross-file and configuration-dependent rules live in :mod:`malpl.checks`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from malpl.yamlsource import Source


def _d(sv: str, en: str) -> str:
    return f"{sv} / {en}"


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never silently drop a person's text."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# Municipal figures stay far below this; beyond it sums and shares lose precision.
NUMBER_LIMIT = 1e15
Number = Annotated[float, Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
Text = Annotated[str, Field(min_length=1)]


class Range(Strict):
    low: Number = Field(description=_d("Lägsta värde", "Lowest value"))
    high: Number = Field(description=_d("Högsta värde", "Highest value"))
    note: str | None = Field(None, description=_d("Kommentar till värdet", "Note on the value"))


class TargetValue(Strict):
    """A structured target such as 'minst 4 st under 2023'."""

    min: Number | None = Field(None, description=_d("Minst detta värde", "At least this value"))
    max: Number | None = Field(None, description=_d("Högst detta värde", "At most this value"))
    unit: str | None = Field(None, description=_d("Enhet, t.ex. st eller %", "Unit, e.g. st or %"))
    by: str | None = Field(None, description=_d(
        "Senast (år eller period), t.ex. 2023", "By when (year or period), e.g. 2023"))


class FollowUp(Strict):
    """What was reported for one target in one period."""

    comment: str | None = Field(None, description=_d(
        "Kommentar; varje rad är ett stycke", "Comment; each line is a paragraph"))
    assessment: str | None = Field(None, description=_d(
        "Bedömning, en nyckel ur skalan i malpl.yaml (saknas = ej bedömd)",
        "Assessment, a key of the scale in malpl.yaml (absent = not assessed)"))
    forecast: str | None = Field(None, description=_d(
        "Prognos för helåret, en nyckel ur skalan", "Forecast for the year, a key of the scale"))
    value: Number | None = Field(None, description=_d(
        "Utfall hittills mot målvärdet", "Outcome so far against the target value"))
    ready: bool = Field(False, description=_d(
        "Klar för rapporten", "Ready for the report"))


class Target(Strict):
    """A row of the report's table: one 'Utvecklingsmål' under the goal."""

    id: Text = Field(description=_d("Unikt id, t.ex. \"1.1.1\"", "Unique id, e.g. \"1.1.1\""))
    text: Text = Field(description=_d("Målets text", "The target's text"))
    target: TargetValue | None = Field(None, description=_d(
        "Strukturerat målvärde", "Structured target value"))
    responsible: str | None = Field(None, description=_d("Ansvarig", "Responsible person or unit"))
    followups: dict[str, FollowUp] = Field(default_factory=dict, description=_d(
        "Uppföljning per period, t.ex. T1-2023", "Follow-up per period, e.g. T1-2023"))


class Reference(Strict):
    label: Text = Field(description=_d("Namn, t.ex. Riket", "Name, e.g. Riket"))
    values: dict[str, Number] = Field(default_factory=dict, description=_d(
        "Värden per år eller period", "Values by year or period"))


class MeasureTarget(Strict):
    value: Number | None = Field(None, description=_d("Målvärde", "Target value"))
    reference: str | None = Field(None, description=_d(
        "Nå minst denna jämförelse (nyckel i references)",
        "Reach at least this reference (key in references)"))
    by: str | None = Field(None, description=_d("Senast (år eller period)", "By when (year or period)"))


class Measure(Strict):
    """A 'Mått': an indicator followed over time."""

    id: Text = Field(description=_d("Unikt id", "Unique id"))
    name: Text = Field(description=_d("Måttets namn", "The measure's name"))
    unit: str | None = Field(None, description=_d("Enhet, t.ex. % eller st", "Unit, e.g. % or st"))
    direction: Literal["higher", "lower"] | None = Field(None, description=_d(
        "Är högre (higher) eller lägre (lower) värde bättre?", "Is a higher or a lower value better?"))
    source: Literal["local", "survey", "kolada"] = Field("local", description=_d(
        "Källa: egen mätning (local), enkät (survey) eller Kolada",
        "Source: own measurement, survey, or Kolada"))
    kpi: str | None = Field(None, description=_d(
        "Koladas nyckeltals-id, t.ex. N15428", "Kolada KPI id, e.g. N15428"))
    note: str | None = Field(None, description=_d("Kommentar om måttet", "Note on the measure"))
    values: dict[str, Number] = Field(default_factory=dict, description=_d(
        "Utfall per år (2022) eller period (T1-2023)", "Values by year (2022) or period (T1-2023)"))
    forecasts: dict[str, Number | Range] = Field(default_factory=dict, description=_d(
        "Prognoser per år eller period", "Forecasts by year or period"))
    target: MeasureTarget | None = Field(None, description=_d("Målvärde", "Target"))
    baseline: str | None = Field(None, description=_d(
        "Basår: en nyckel i values", "Baseline: a key in values"))
    references: dict[str, Reference] = Field(default_factory=dict, description=_d(
        "Jämförelser, t.ex. riket", "Reference series, e.g. the national average"))


class Goal(Strict):
    """One goal file in ``goals/``."""

    id: Text = Field(description=_d("Målets id, t.ex. \"1.1\" (inom citattecken)",
                                   "The goal's id, e.g. \"1.1\" (in quotes)"))
    title: Text = Field(description=_d("Målets text", "The goal's text"))
    level: str = Field(description=_d("Nivå, en nyckel ur levels i malpl.yaml",
                                      "Level, a key of levels in malpl.yaml"))
    parent: str | None = Field(None, description=_d(
        "Överordnat mål (id) som målet bidrar till", "Id of the higher goal this one serves"))
    responsible: str | None = Field(None, description=_d("Ansvarig", "Owner"))
    description: str | None = Field(None, description=_d("Beskrivning", "Description"))
    targets: list[Target] = Field(default_factory=list, description=_d(
        "Utvecklingsmål under målet", "Targets under the goal"))
    measures: list[Measure] = Field(default_factory=list, description=_d("Mått", "Measures"))

    _source: Source | None = PrivateAttr(None)

    @property
    def source(self) -> Source:
        assert self._source is not None, "goal was not loaded from a file"
        return self._source


# --- malpl.yaml -----------------------------------------------------------------


class Organisation(Strict):
    name: Text = Field("Kommunen", description=_d("Kommunens namn", "The municipality's name"))
    kolada_id: str | None = Field(None, description=_d(
        "Kommunkod i Kolada, t.ex. \"2260\"", "Municipality id in Kolada, e.g. \"2260\""))


class Level(Strict):
    key: Text = Field(description=_d("Nyckel som målfiler använder", "Key used in goal files"))
    label: Text = Field(description=_d("Namn i rapporten", "Name in the report"))


class ScaleStep(Strict):
    key: Text = Field(description=_d("Nyckel som målfiler använder", "Key used in goal files"))
    label: Text = Field(description=_d("Namn i rapporten", "Name in the report"))
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$", description=_d(
        "Färg som #rrggbb", "Colour as #rrggbb"))
    symbol: str = Field("●", description=_d("Symbol", "Symbol"))


class Labels(Strict):
    """Column headings and words of the report."""

    target: str = "Utvecklingsmål"
    comment: str = "Kommentar"
    measures: str = "Mått"
    no_comment: str = "Ingen kommentar"
    unassessed: str = Field("Ej bedömd", description=_d(
        "Namn när bedömning saknas", "Label when no assessment is given"))
    summary: str = "Måluppfyllelse"


class Periods(Strict):
    scheme: Literal["tertial", "kvartal", "halvar"] = Field("tertial", description=_d(
        "Periodindelning", "Period scheme"))
    labels: dict[str, str] = Field(default_factory=dict, description=_d(
        "Egna namn, t.ex. T2: Delårsrapport", "Own names, e.g. T2: Delårsrapport"))


def _default_levels() -> list[Level]:
    return [Level(key="inriktningsmal", label="Inriktningsmål"),
            Level(key="utvecklingsmal", label="Utvecklingsmål")]


def _default_scale() -> list[ScaleStep]:
    return [
        ScaleStep(key="uppfyllt", label="Uppfyllt", color="#2e7d32"),
        ScaleStep(key="delvis_uppfyllt", label="Delvis uppfyllt", color="#f9a825"),
        ScaleStep(key="ej_paborjat", label="Ej påbörjat", color="#757575"),
        ScaleStep(key="ej_uppfyllt", label="Ej uppfyllt", color="#c62828"),
    ]


class Config(Strict):
    """``malpl.yaml``: everything that differs between municipalities."""

    organisation: Organisation = Field(default_factory=Organisation)
    body: str = Field("Kommunstyrelsen", description=_d("Nämnd eller styrelse", "Board"))
    title: Text = Field("Uppföljning av utvecklingsmål", description=_d(
        "Rapportens rubrik", "The report's title"))
    levels: list[Level] = Field(default_factory=_default_levels, min_length=1, description=_d(
        "Målnivåer, högsta först", "Goal levels, highest first"))
    scale: list[ScaleStep] = Field(default_factory=_default_scale, min_length=1, description=_d(
        "Bedömningsskala, bästa först", "Assessment scale, best first"))
    labels: Labels = Field(default_factory=Labels)
    periods: Periods = Field(default_factory=Periods)

    def step(self, key: str | None) -> ScaleStep | None:
        return next((s for s in self.scale if s.key == key), None)

    def rank(self, key: str | None) -> int | None:
        """0 is best; None when not assessed."""
        return next((i for i, s in enumerate(self.scale) if s.key == key), None)
