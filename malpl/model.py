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
    """What was reported for one goal or target in one period."""

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
    values: dict[str, Number | None] = Field(default_factory=dict, description=_d(
        "Värden per år eller period (null = saknas)", "Values by year or period (null = missing)"))


class MeasureTarget(Strict):
    value: Number | None = Field(None, description=_d(
        "Målvärde; 'direction' avgör om det är ett golv eller ett tak",
        "Target value; 'direction' says whether it is a floor or a ceiling"))
    min: Number | None = Field(None, description=_d("Minst detta värde", "At least this value"))
    max: Number | None = Field(None, description=_d(
        "Högst detta värde (ett tak)", "At most this value (a ceiling)"))
    reference: str | None = Field(None, description=_d(
        "Nå minst denna jämförelse (nyckel i references)",
        "Reach at least this reference (key in references)"))
    by: str | None = Field(None, description=_d("Senast (år eller period)", "By when (year or period)"))


Trend = Literal["better", "unchanged", "worse", "not_assessable"]


class KoladaCompare(Strict):
    """A comparison fetched from Kolada: Riket, a group such as an unweighted average, a
    chosen similar municipality."""

    id: Text = Field(description=_d(
        "Id i Kolada: kommunkod inom citattecken (\"0000\" = Riket) eller grupp-id (G…)",
        "Kolada id: a municipality code in quotes (\"0000\" = Riket) or a group id (G…)"))
    label: Text = Field(description=_d(
        "Namn i rapporten, t.ex. Riket", "Name in the report, e.g. Riket"))


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
    compare: list[KoladaCompare] = Field(default_factory=list, description=_d(
        "Fler jämförelser ur Kolada för just detta mått (utöver kolada.compare i malpl.yaml)",
        "More Kolada comparisons for this measure (besides kolada.compare in malpl.yaml)"))
    gender: bool = Field(False, description=_d(
        "Visa Koladas värden för kvinnor och män", "Show Kolada's values for women and men"))
    ou: str | None = Field(None, description=_d(
        "Organisatorisk enhet i Kolada (t.ex. en skola, V15E…) i stället för kommunen",
        "Kolada organisational unit (e.g. a school, V15E…) instead of the municipality"))
    note: str | None = Field(None, description=_d(
        "Kommentar om måttet, visas överallt där måttet visas",
        "Note on the measure, shown wherever the measure is"))
    values: dict[str, Number | None] = Field(default_factory=dict, description=_d(
        "Utfall per år (2022) eller period (T1-2023); null = saknas (ange skälet i missing)",
        "Values by year (2022) or period (T1-2023); null = missing (give the reason in missing)"))
    missing: dict[str, Text] = Field(default_factory=dict, description=_d(
        "Varför ett värde saknas, per år eller period, t.ex. 2014: Mätningen gjordes inte",
        "Why a value is missing, by year or period, e.g. 2014: Not measured that year"))
    breaks: dict[str, Text] = Field(default_factory=dict, description=_d(
        "Tidsseriebrott: från detta år eller denna period är värdena inte jämförbara med "
        "tidigare, t.ex. 2015: Ny metod", "Series breaks: from this year or period on the values "
        "are not comparable with earlier ones, e.g. 2015: New method"))
    tolerance: Annotated[float, Field(ge=0, le=NUMBER_LIMIT)] = Field(0, description=_d(
        "Så stor förändring räknas som oförändrad (i måttets enhet)",
        "A change this small counts as unchanged (in the measure's unit)"))
    trends: dict[str, Trend] = Field(default_factory=dict, description=_d(
        "Trend bedömd för hand per år eller period: better, unchanged, worse eller "
        "not_assessable (kan ej bedömas); annars räknas den ut",
        "Trend judged by hand per year or period: better, unchanged, worse or not_assessable; "
        "otherwise it is computed"))
    forecasts: dict[str, Number | Range] = Field(default_factory=dict, description=_d(
        "Prognoser per år eller period", "Forecasts by year or period"))
    target: MeasureTarget | None = Field(None, description=_d("Målvärde", "Target"))
    baseline: str | None = Field(None, description=_d(
        "Basår: en nyckel i values", "Baseline: a key in values"))
    references: dict[str, Reference] = Field(default_factory=dict, description=_d(
        "Jämförelser, t.ex. riket", "Reference series, e.g. the national average"))


class Goal(Strict):
    """One goal file in ``goals/``."""

    id: Text = Field(description=_d("Målets id, t.ex. \"1.1\" eller \"1:2\" (inom citattecken)",
                                   "The goal's id, e.g. \"1.1\" or \"1:2\" (in quotes)"))
    title: Text = Field(description=_d("Målets text", "The goal's text"))
    level: str = Field(description=_d("Nivå, en nyckel ur levels i malpl.yaml",
                                      "Level, a key of levels in malpl.yaml"))
    body: str | None = Field(None, description=_d(
        "Nämnd, styrelse eller bolag (nyckel ur bodies i malpl.yaml); annars mappen under goals/",
        "Body (a key of bodies in malpl.yaml); otherwise the folder under goals/"))
    parent: str | list[str] | None = Field(None, description=_d(
        "Överordnat mål (id) som målet bidrar till, eller en lista av id; får höra till en "
        "annan nämnd", "Id of the higher goal this one serves, or a list of ids; may belong to "
        "another body"))
    order: int | None = Field(None, description=_d(
        "Ordning i rapporten (annars id i naturlig ordning)",
        "Position in the report (otherwise ids in natural order)"))
    responsible: str | None = Field(None, description=_d("Ansvarig", "Owner"))
    description: str | None = Field(None, description=_d("Beskrivning", "Description"))
    ended: Annotated[int, Field(ge=1900, le=2100)] | None = Field(None, description=_d(
        "Sista året målet gällde (satt av malpl rollover); finns kvar i historik och äldre "
        "rapporter", "The last year the goal applied (set by malpl rollover); kept in the "
        "history and past reports"))
    followups: dict[str, FollowUp] = Field(default_factory=dict, description=_d(
        "Uppföljning av målet självt per period, t.ex. T1-2023",
        "Follow-up of the goal itself per period, e.g. T1-2023"))
    targets: list[Target] = Field(default_factory=list, description=_d(
        "Utvecklingsmål under målet", "Targets under the goal"))
    measures: list[Measure] = Field(default_factory=list, description=_d("Mått", "Measures"))

    _source: Source | None = PrivateAttr(None)
    _body: str = PrivateAttr("")

    @property
    def source(self) -> Source:
        assert self._source is not None, "goal was not loaded from a file"
        return self._source

    @property
    def parents(self) -> list[str]:
        """The ids of the higher goals this one serves, however ``parent`` was written."""
        if self.parent is None:
            return []
        return [self.parent] if isinstance(self.parent, str) else list(self.parent)

    @property
    def body_key(self) -> str:
        """The body the goal belongs to, settled when the repository is loaded."""
        return self._body


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
    assessed: bool = Field(True, description=_d(
        "false för ett steg som inte är en bedömning, t.ex. 'Kan ej bedömas': räknas för sig "
        "och är varken bättre eller sämre", "false for a step that is not a judgement, e.g. "
        "'cannot be assessed': counted apart, neither better nor worse"))


BodyKind = Literal["fullmaktige", "styrelse", "namnd", "bolag", "annan"]


class Body(Strict):
    """A body that owns goals: fullmäktige, the board, a nämnd or a company."""

    key: Text = Field(description=_d(
        "Nyckel, t.ex. tn; också mappnamnet under goals/", "Key, e.g. tn; also the folder "
        "name under goals/"))
    name: Text = Field(description=_d("Namn, t.ex. Tekniska nämnden", "Name, e.g. Tekniska nämnden"))
    kind: BodyKind = Field("namnd", description=_d(
        "Slag: fullmaktige, styrelse, namnd, bolag eller annan",
        "Kind: fullmaktige (council), styrelse (board), namnd (committee), bolag (company), annan"))


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
    dates: dict[str, str] = Field(default_factory=dict, description=_d(
        "Rapportens datum per period, t.ex. T1-2024: \"2024-05-20\" (styrelsens sammanträde)",
        "The report's date per period, e.g. T1-2024: \"2024-05-20\" (the board meeting)"))


KOLADA_URL = "https://api.kolada.se/v3"


class KoladaSettings(Strict):
    url: str = Field(KOLADA_URL, description=_d(
        "Koladas API (miljövariabeln MALPL_KOLADA_URL går före)",
        "Kolada's API (the environment variable MALPL_KOLADA_URL overrides it)"))
    compare: list[KoladaCompare] = Field(default_factory=list, description=_d(
        "Jämförelser för alla Kolada-mått, t.ex. {id: \"0000\", label: Riket}",
        "Comparisons for every Kolada measure, e.g. {id: \"0000\", label: Riket}"))


class ReportOptions(Strict):
    """What the report shows besides the goals' own words, and its title block."""

    summary: bool = Field(True, description=_d(
        "Visa måluppfyllelsen (tabell och diagram) först i rapporten",
        "Show måluppfyllelse (table and chart) first in the report"))
    unassessed_mark: bool = Field(True, description=_d(
        "Visa \"Ej bedömd\" där bedömning saknas (false: lämna tomt, som många kommuner gör)",
        "Show \"Ej bedömd\" where no assessment is given (false: leave it blank)"))
    no_comment: bool = Field(True, description=_d(
        "Visa \"Ingen kommentar\" i tomma kommentarsceller (false: lämna tomt)",
        "Show \"Ingen kommentar\" in empty comment cells (false: leave them blank)"))
    contents: bool = Field(False, description=_d(
        "Innehållsförteckning i DOCX och HTML", "A table of contents in DOCX and HTML"))
    diarienummer: str | None = Field(None, description=_d(
        "Diarienummer under rubriken, t.ex. KS 2023/123",
        "Registration number under the title, e.g. KS 2023/123"))
    logo: str | None = Field(None, description=_d(
        "Logotyp i rubrikblocket: en PNG- eller JPEG-fil i repositoriet, t.ex. logo.png",
        "Logo in the title block: a PNG or JPEG file inside the repository, e.g. logo.png"))


class SiteLink(Strict):
    label: Text = Field(description=_d("Länktext", "Link text"))
    url: str = Field(pattern=r"^https?://[^\s<>\"']+$", description=_d(
        "Adress som börjar med https://", "Address starting with https://"))


class Site(Strict):
    """The public website (malpl site): the municipality's colour, logo and links."""

    color: str = Field("#1f4e79", pattern=r"^#[0-9a-fA-F]{6}$", description=_d(
        "Sidhuvudets färg som #rrggbb", "The header's colour as #rrggbb"))
    logo: str | None = Field(None, description=_d(
        "Logotyp: en bildfil (.svg, .png, .jpg) i repositoriet, t.ex. bilder/logo.svg",
        "Logo: an image file (.svg, .png, .jpg) in the repository, e.g. bilder/logo.svg"))
    links: list[SiteLink] = Field(default_factory=list, description=_d(
        "Länkar i sidfoten, t.ex. till kommunens webbplats",
        "Links in the footer, e.g. to the municipality's website"))


def _default_levels() -> list[Level]:
    return [Level(key="inriktningsmal", label="Inriktningsmål"),
            Level(key="utvecklingsmal", label="Utvecklingsmål")]


def _default_scale() -> list[ScaleStep]:
    return [
        ScaleStep(key="uppfyllt", label="Uppfyllt", color="#2e7d32"),
        ScaleStep(key="delvis_uppfyllt", label="Delvis uppfyllt", color="#c77700"),
        ScaleStep(key="ej_paborjat", label="Ej påbörjat", color="#455a64"),
        ScaleStep(key="ej_uppfyllt", label="Ej uppfyllt", color="#c62828"),
    ]


class Config(Strict):
    """``malpl.yaml``: everything that differs between municipalities."""

    organisation: Organisation = Field(default_factory=Organisation)
    body: str = Field("Kommunstyrelsen", description=_d(
        "Nämnd eller styrelse, när repositoriet bara har en (annars bodies)",
        "The board, when the repository has only one (otherwise bodies)"))
    bodies: list[Body] = Field(default_factory=list, description=_d(
        "Fullmäktige, styrelse, nämnder och bolag i rapportens ordning",
        "Council, board, committees and companies in the report's order"))
    title: Text = Field("Uppföljning av utvecklingsmål", description=_d(
        "Rapportens rubrik", "The report's title"))
    levels: list[Level] = Field(default_factory=_default_levels, min_length=1, description=_d(
        "Målnivåer, högsta först", "Goal levels, highest first"))
    scale: list[ScaleStep] = Field(default_factory=_default_scale, min_length=1, description=_d(
        "Bedömningsskala, bästa först", "Assessment scale, best first"))
    labels: Labels = Field(default_factory=Labels)
    periods: Periods = Field(default_factory=Periods)
    kolada: KoladaSettings = Field(default_factory=KoladaSettings, description=_d(
        "Hämtning från Kolada (malpl kolada pull)", "Fetching from Kolada (malpl kolada pull)"))
    report: ReportOptions = Field(default_factory=ReportOptions, description=_d(
        "Vad rapporten visar utöver målens egna ord", "What the report shows besides the goals' words"))
    site: Site = Field(default_factory=Site, description=_d(
        "Webbplatsen (malpl site)", "The website (malpl site)"))

    def step(self, key: str | None) -> ScaleStep | None:
        return next((s for s in self.scale if s.key == key), None)

    def rank(self, key: str | None) -> int | None:
        """0 is best; None when not assessed or the step is not a judgement."""
        judged = [s.key for s in self.scale if s.assessed]
        return judged.index(key) if key in judged else None

    def body_list(self) -> list[Body]:
        """The configured bodies; without ``bodies:``, the one ``body:`` names."""
        if self.bodies:
            return self.bodies
        # Built without validation: an empty 'body:' is the template's business, not an error.
        return [Body.model_construct(key=slug(self.body), name=self.body, kind="styrelse")]


def slug(text: str) -> str:
    """A key from a name: 'Kommunstyrelsen' → 'kommunstyrelsen', 'Barn- och …' → 'barn-och-…'."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "styrelse"
