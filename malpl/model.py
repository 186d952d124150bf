"""The file format as msgspec structs: one goal file, and ``malpl.yaml``.

These structs are the single definition of the format. Loaded data is
converted into them (:func:`convert`, in C), and ``malpl schema`` exports them
as JSON Schema for editors, so every field carries a description in Swedish
and English ("sv / en"). When data does not fit, :mod:`malpl.schema_errors`
walks the same types to name every problem. Cross-file and
configuration-dependent rules live in :mod:`malpl.checks`.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import msgspec

if TYPE_CHECKING:
    from malpl.yamlsource import Source

S = TypeVar("S", bound=msgspec.Struct)


def _d(sv: str, en: str) -> msgspec.Meta:
    return msgspec.Meta(description=f"{sv} / {en}")


class Strict(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """Unknown keys are errors: a typo must never silently drop a person's text.

    The loaded data is a tree (no cycles), so the garbage collector need not track it.
    """


def convert(model: type[S], data: Any) -> S:
    """``data`` as a ``model``, or :class:`msgspec.ValidationError`.

    Not strict, as people write YAML: a quoted number "79.2" is a number, 3.0 a
    whole number; but true is never a number, and a number never text.
    """
    return msgspec.convert(data, model, strict=False)


def plain(value: Any) -> Any:
    """A struct (or anything holding structs) as plain dicts, lists and scalars."""
    return msgspec.to_builtins(value)


# Municipal figures stay far below this; beyond it sums and shares lose precision.
NUMBER_LIMIT = 1e15
# In Python's re (which msgspec uses) '$' also matches before a final newline; the
# look-ahead refuses one there. JSON Schema's ECMAScript regexes read it the same way.
END = "$(?!\\n)"
Number = Annotated[float, msgspec.Meta(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
Text = Annotated[str, msgspec.Meta(min_length=1)]
Colour = Annotated[str, msgspec.Meta(pattern="^#[0-9a-fA-F]{6}" + END)]


class Range(Strict):
    low: Annotated[Number, _d("Lägsta värde", "Lowest value")]
    high: Annotated[Number, _d("Högsta värde", "Highest value")]
    note: Annotated[str | None, _d("Kommentar till värdet", "Note on the value")] = None


class TargetValue(Strict):
    """A structured target such as 'minst 4 st under 2023'."""

    min: Annotated[Number | None, _d("Minst detta värde", "At least this value")] = None
    max: Annotated[Number | None, _d("Högst detta värde", "At most this value")] = None
    unit: Annotated[str | None, _d("Enhet, t.ex. st eller %", "Unit, e.g. st or %")] = None
    by: Annotated[str | None, _d(
        "Senast (år eller period), t.ex. 2023", "By when (year or period), e.g. 2023")] = None


class FollowUp(Strict):
    """What was reported for one goal or target in one period."""

    comment: Annotated[str | None, _d(
        "Kommentar; varje rad är ett stycke", "Comment; each line is a paragraph")] = None
    assessment: Annotated[str | None, _d(
        "Bedömning, en nyckel ur skalan i malpl.yaml (saknas = ej bedömd)",
        "Assessment, a key of the scale in malpl.yaml (absent = not assessed)")] = None
    forecast: Annotated[str | None, _d(
        "Prognos för helåret, en nyckel ur skalan", "Forecast for the year, a key of the scale")] = None
    value: Annotated[Number | None, _d(
        "Utfall hittills mot målvärdet", "Outcome so far against the target value")] = None
    ready: Annotated[bool, _d(
        "Klar för rapporten", "Ready for the report")] = False


class Target(Strict):
    """A row of the report's table: one 'Utvecklingsmål' under the goal."""

    id: Annotated[Text, _d("Unikt id, t.ex. \"1.1.1\"", "Unique id, e.g. \"1.1.1\"")]
    text: Annotated[Text, _d("Målets text", "The target's text")]
    target: Annotated[TargetValue | None, _d(
        "Strukturerat målvärde", "Structured target value")] = None
    responsible: Annotated[str | None, _d("Ansvarig", "Responsible person or unit")] = None
    start: Annotated[str | None, _d(
        "Första perioden raden gällde, t.ex. T2-2026; utan start har den alltid funnits",
        "The first period the row applied, e.g. T2-2026; without it it has always existed")] = None
    followups: Annotated[dict[str, FollowUp], _d(
        "Uppföljning per period, t.ex. T1-2023", "Follow-up per period, e.g. T1-2023")] = {}


class Reference(Strict):
    label: Annotated[Text, _d("Namn, t.ex. Riket", "Name, e.g. Riket")]
    values: Annotated[dict[str, Number | None], _d(
        "Värden per år eller period (null = saknas)", "Values by year or period (null = missing)")] = {}


class MeasureTarget(Strict):
    value: Annotated[Number | None, _d(
        "Målvärde; 'direction' avgör om det är ett golv eller ett tak",
        "Target value; 'direction' says whether it is a floor or a ceiling")] = None
    min: Annotated[Number | None, _d("Minst detta värde", "At least this value")] = None
    max: Annotated[Number | None, _d(
        "Högst detta värde (ett tak)", "At most this value (a ceiling)")] = None
    above: Annotated[Number | None, _d(
        "Mer än detta värde (>; min är ≥)", "More than this value (>; min is ≥)")] = None
    below: Annotated[Number | None, _d(
        "Mindre än detta värde (<; max är ≤)", "Less than this value (<; max is ≤)")] = None
    reference: Annotated[str | None, _d(
        "Nå minst denna jämförelse (nyckel i references)",
        "Reach at least this reference (key in references)")] = None
    average: Annotated[Annotated[int, msgspec.Meta(ge=2, le=10)] | None, _d(
        "Jämför snittet av de senaste så här många årens värden, t.ex. 3",
        "Compare the average of the values of this many last years, e.g. 3")] = None
    partly: Annotated[Annotated[float, msgspec.Meta(ge=0, le=NUMBER_LIMIT)] | None, _d(
        "Missat med högst så här mycket (i måttets enhet) är delvis uppfyllt",
        "Missed by no more than this (in the measure's unit) is partly reached")] = None
    by: Annotated[str | None, _d("Senast (år eller period)", "By when (year or period)")] = None


Trend = Literal["better", "unchanged", "worse", "not_assessable"]


class KoladaCompare(Strict):
    """A comparison fetched from Kolada: Riket, a group such as an unweighted average, a
    chosen similar municipality."""

    id: Annotated[Text, _d(
        "Id i Kolada: kommunkod inom citattecken (\"0000\" = Riket) eller grupp-id (G…)",
        "Kolada id: a municipality code in quotes (\"0000\" = Riket) or a group id (G…)")]
    label: Annotated[Text, _d(
        "Namn i rapporten, t.ex. Riket", "Name in the report, e.g. Riket")]


class Measure(Strict):
    """A 'Mått': an indicator followed over time."""

    id: Annotated[Text, _d("Unikt id", "Unique id")]
    name: Annotated[Text, _d("Måttets namn", "The measure's name")]
    unit: Annotated[str | None, _d("Enhet, t.ex. % eller st", "Unit, e.g. % or st")] = None
    direction: Annotated[Literal["higher", "lower"] | None, _d(
        "Är högre (higher) eller lägre (lower) värde bättre?", "Is a higher or a lower value better?")] = None
    source: Annotated[Literal["local", "survey", "kolada"], _d(
        "Källa: egen mätning (local), enkät (survey) eller Kolada",
        "Source: own measurement, survey, or Kolada")] = "local"
    kpi: Annotated[str | None, _d(
        "Koladas nyckeltals-id, t.ex. N15428", "Kolada KPI id, e.g. N15428")] = None
    compare: Annotated[list[KoladaCompare], _d(
        "Fler jämförelser ur Kolada för just detta mått (utöver kolada.compare i malpl.yaml)",
        "More Kolada comparisons for this measure (besides kolada.compare in malpl.yaml)")] = []
    gender: Annotated[bool, _d(
        "Visa Koladas värden för kvinnor och män", "Show Kolada's values for women and men")] = False
    ou: Annotated[str | None, _d(
        "Organisatorisk enhet i Kolada (t.ex. en skola, V15E…) i stället för kommunen",
        "Kolada organisational unit (e.g. a school, V15E…) instead of the municipality")] = None
    note: Annotated[str | None, _d(
        "Kommentar om måttet, visas överallt där måttet visas",
        "Note on the measure, shown wherever the measure is")] = None
    values: Annotated[dict[str, Number | None], _d(
        "Utfall per år (2022) eller period (T1-2023); null = saknas (ange skälet i missing)",
        "Values by year (2022) or period (T1-2023); null = missing (give the reason in missing)")] = {}
    women: Annotated[dict[str, Number | None], _d(
        "Egna värden för kvinnor, per år eller period (values är totalt)",
        "Own values for women, by year or period (values is the total)")] = {}
    men: Annotated[dict[str, Number | None], _d(
        "Egna värden för män, per år eller period", "Own values for men, by year or period")] = {}
    interval: Annotated[Annotated[int, msgspec.Meta(ge=1, le=10)], _d(
        "Mäts vart så här många år, t.ex. 2 för en enkät vartannat år (trenden jämför med "
        "förra mätningen)", "Measured every this many years, e.g. 2 for a survey every second "
        "year (the trend compares with the previous measurement)")] = 1
    assessed: Annotated[bool, _d(
        "Måttet är en indikator: raden som bedöms, av sitt mål (target) och sitt värde",
        "The measure is an indicator: the row that is assessed, by its target and its value")] = False
    followups: Annotated[dict[str, FollowUp], _d(
        "En indikators kommentar (och bedömning satt för hand) per period",
        "An indicator's comment (and hand-set assessment) per period")] = {}
    missing: Annotated[dict[str, Text], _d(
        "Varför ett värde saknas, per år eller period, t.ex. 2014: Mätningen gjordes inte",
        "Why a value is missing, by year or period, e.g. 2014: Not measured that year")] = {}
    breaks: Annotated[dict[str, Text], _d(
        "Tidsseriebrott: från detta år eller denna period är värdena inte jämförbara med "
        "tidigare, t.ex. 2015: Ny metod", "Series breaks: from this year or period on the values "
        "are not comparable with earlier ones, e.g. 2015: New method")] = {}
    tolerance: Annotated[float, msgspec.Meta(ge=0, le=NUMBER_LIMIT), _d(
        "Så stor förändring räknas som oförändrad (i måttets enhet)",
        "A change this small counts as unchanged (in the measure's unit)")] = 0
    trends: Annotated[dict[str, Trend], _d(
        "Trend bedömd för hand per år eller period: better, unchanged, worse eller "
        "not_assessable (kan ej bedömas); annars räknas den ut",
        "Trend judged by hand per year or period: better, unchanged, worse or not_assessable; "
        "otherwise it is computed")] = {}
    forecasts: Annotated[dict[str, Number | Range], _d(
        "Prognoser per år eller period", "Forecasts by year or period")] = {}
    target: Annotated[MeasureTarget | None, _d("Målvärde", "Target")] = None
    baseline: Annotated[str | None, _d(
        "Basår: en nyckel i values", "Baseline: a key in values")] = None
    references: Annotated[dict[str, Reference], _d(
        "Jämförelser, t.ex. riket", "Reference series, e.g. the national average")] = {}


class Goal(Strict, dict=True, gc=True):
    """One goal file in goals/."""

    id: Annotated[Text, _d("Målets id, t.ex. \"1.1\" eller \"1:2\" (inom citattecken)",
                                   "The goal's id, e.g. \"1.1\" or \"1:2\" (in quotes)")]
    title: Annotated[Text, _d("Målets text", "The goal's text")]
    level: Annotated[str, _d("Nivå, en nyckel ur levels i malpl.yaml",
                                      "Level, a key of levels in malpl.yaml")]
    body: Annotated[str | None, _d(
        "Nämnd, styrelse eller bolag (nyckel ur bodies i malpl.yaml); annars mappen under goals/",
        "Body (a key of bodies in malpl.yaml); otherwise the folder under goals/")] = None
    parent: Annotated[str | list[str] | None, _d(
        "Överordnat mål (id) som målet bidrar till, eller en lista av id; får höra till en "
        "annan nämnd", "Id of the higher goal this one serves, or a list of ids; may belong to "
        "another body")] = None
    order: Annotated[int | None, _d(
        "Ordning i rapporten (annars id i naturlig ordning)",
        "Position in the report (otherwise ids in natural order)")] = None
    responsible: Annotated[str | None, _d("Ansvarig", "Owner")] = None
    description: Annotated[str | None, _d("Beskrivning", "Description")] = None
    start: Annotated[str | None, _d(
        "Första perioden målet gällde, t.ex. T2-2026 (satt av malpl new); utan start har "
        "målet alltid funnits", "The first period the goal applied, e.g. T2-2026 (set by "
        "malpl new); without it the goal has always existed")] = None
    ended: Annotated[Annotated[int, msgspec.Meta(ge=1900, le=2100)] | None, _d(
        "Sista året målet gällde (satt av malpl rollover); finns kvar i historik och äldre "
        "rapporter", "The last year the goal applied (set by malpl rollover); kept in the "
        "history and past reports")] = None
    followups: Annotated[dict[str, FollowUp], _d(
        "Uppföljning av målet självt per period, t.ex. T1-2023",
        "Follow-up of the goal itself per period, e.g. T1-2023")] = {}
    targets: Annotated[list[Target], _d(
        "Utvecklingsmål under målet", "Targets under the goal")] = []
    measures: Annotated[list[Measure], _d("Mått", "Measures")] = []

    # Not fields (an annotation would make one): the loader sets ``_source``, the file the
    # goal was read from, and ``_body``, in the instance's ``__dict__`` (dict=True).

    @property
    def source(self) -> "Source":
        source = getattr(self, "_source", None)
        assert source is not None, "goal was not loaded from a file"
        return source

    @property
    def parents(self) -> list[str]:
        """The ids of the higher goals this one serves, however ``parent`` was written."""
        if self.parent is None:
            return []
        return [self.parent] if isinstance(self.parent, str) else list(self.parent)

    @property
    def body_key(self) -> str:
        """The body the goal belongs to, settled when the repository is loaded."""
        return getattr(self, "_body", "")


# --- malpl.yaml -----------------------------------------------------------------


class Organisation(Strict):
    name: Annotated[Text, _d("Kommunens namn", "The municipality's name")] = "Kommunen"
    kolada_id: Annotated[str | None, _d(
        "Kommunkod i Kolada, t.ex. \"2260\"", "Municipality id in Kolada, e.g. \"2260\"")] = None


class Level(Strict):
    key: Annotated[Text, _d("Nyckel som målfiler använder", "Key used in goal files")]
    label: Annotated[Text, _d("Namn i rapporten", "Name in the report")]
    rows: Annotated[str | None, _d(
        "Vad raderna under ett mål på denna nivå kallas, t.ex. Indikator eller Nämndmål "
        "(annars labels.target)", "What the rows under a goal of this level are called, e.g. "
        "Indikator (otherwise labels.target)")] = None


#: The symbol shown where no assessment is given ("Ej bedömd"); no step may use it.
UNASSESSED_SYMBOL = "○"


class ScaleStep(Strict):
    key: Annotated[Text, _d("Nyckel som målfiler använder", "Key used in goal files")]
    label: Annotated[Text, _d("Namn i rapporten", "Name in the report")]
    color: Annotated[Colour, _d(
        "Färg som #rrggbb", "Colour as #rrggbb")]
    symbol: Annotated[str, _d("Symbol", "Symbol")] = "●"
    assessed: Annotated[bool, _d(
        "false för ett steg som inte är en bedömning, t.ex. 'Kan ej bedömas': räknas för sig "
        "och är varken bättre eller sämre", "false for a step that is not a judgement, e.g. "
        "'cannot be assessed': counted apart, neither better nor worse")] = True


BodyKind = Literal["fullmaktige", "styrelse", "namnd", "bolag", "annan"]


class Body(Strict):
    """A body that owns goals: fullmäktige, the board, a nämnd or a company."""

    key: Annotated[Text, _d(
        "Nyckel, t.ex. tn; också mappnamnet under goals/", "Key, e.g. tn; also the folder "
        "name under goals/")]
    name: Annotated[Text, _d("Namn, t.ex. Tekniska nämnden", "Name, e.g. Tekniska nämnden")]
    kind: Annotated[BodyKind, _d(
        "Slag: fullmaktige, styrelse, namnd, bolag eller annan",
        "Kind: fullmaktige (council), styrelse (board), namnd (committee), bolag (company), annan")] = "namnd"
    summaries: Annotated[dict[str, Text], _d(
        "Nämndens egen sammanfattning per period, visas överst i dess kapitel i rapporten, "
        "t.ex. T2-2024: |",
        "The body's own summary per period, shown at the top of its chapter in the report, "
        "e.g. T2-2024: |")] = {}


class Labels(Strict):
    """Column headings and words of the report."""

    target: Annotated[str, _d(
        "Vad raderna under ett mål kallas (rubrik och måluppfyllelse); tomt: Delmål",
        "What the rows under a goal are called (heading and summary); empty: Delmål")] = ""
    comment: str = "Kommentar"
    measures: str = "Mått"
    no_comment: str = "Ingen kommentar"
    unassessed: Annotated[str, _d(
        "Namn när bedömning saknas", "Label when no assessment is given")] = "Ej bedömd"
    summary: str = "Måluppfyllelse"


class Periods(Strict):
    scheme: Annotated[Literal["tertial", "kvartal", "halvar"], _d(
        "Periodindelning", "Period scheme")] = "tertial"
    labels: Annotated[dict[str, str], _d(
        "Egna namn, t.ex. T2: Delårsrapport", "Own names, e.g. T2: Delårsrapport")] = {}
    closed: Annotated[list[str], _d(
        "Stängda perioder (skrivs av malpl period close); webbplatsen visar den senaste",
        "Closed periods (written by malpl period close); the site shows the latest")] = []
    dates: Annotated[dict[str, str], _d(
        "Rapportens datum per period, t.ex. T1-2024: \"2024-05-20\" (styrelsens sammanträde)",
        "The report's date per period, e.g. T1-2024: \"2024-05-20\" (the board meeting)")] = {}


KOLADA_URL = "https://api.kolada.se/v3"


class KoladaSettings(Strict):
    url: Annotated[str, _d(
        "Koladas API (miljövariabeln MALPL_KOLADA_URL går före)",
        "Kolada's API (the environment variable MALPL_KOLADA_URL overrides it)")] = KOLADA_URL
    compare: Annotated[list[KoladaCompare], _d(
        "Jämförelser för alla Kolada-mått, t.ex. {id: \"0000\", label: Riket}",
        "Comparisons for every Kolada measure, e.g. {id: \"0000\", label: Riket}")] = []
    deadline: Annotated[float, msgspec.Meta(gt=0, le=86400), _d(
        "Längsta tid i sekunder för en hel hämtning (malpl kolada pull)",
        "The longest time in seconds for a whole pull (malpl kolada pull)")] = 600
    request_timeout: Annotated[float, msgspec.Meta(gt=0, le=3600), _d(
        "Längsta tid i sekunder för ett anrop till Kolada",
        "The longest time in seconds for one request to Kolada")] = 60


class ReportOptions(Strict):
    """What the report shows besides the goals' own words, and its title block."""

    summary: Annotated[bool, _d(
        "Visa måluppfyllelsen (tabell och diagram) först i rapporten",
        "Show måluppfyllelse (table and chart) first in the report")] = True
    unassessed_mark: Annotated[bool, _d(
        "Visa \"Ej bedömd\" där bedömning saknas (false: lämna tomt, som många kommuner gör)",
        "Show \"Ej bedömd\" where no assessment is given (false: leave it blank)")] = True
    no_comment: Annotated[bool, _d(
        "Visa \"Ingen kommentar\" i tomma kommentarsceller (false: lämna tomt)",
        "Show \"Ingen kommentar\" in empty comment cells (false: leave them blank)")] = True
    date: Annotated[bool, _d(
        "Datera rapporten även utan angivet datum, efter senaste committen (false: bara --date "
        "eller periods.dates ger ett datum, utan dem har rapporten inget)",
        "Date the report even when no date is given, by the last commit (false: only --date or "
        "periods.dates give it a date; without them it has none)")] = True
    goals_counted_by: Annotated[Literal["own", "worst"], _d(
        "Hur ett mål utan egen bedömning räknas i måluppfyllelsen: own = som ej bedömt "
        "(det som ligger under visas bredvid), worst = som den sämsta bedömningen under det",
        "How a goal without its own assessment counts in måluppfyllelse: own = as not "
        "assessed (what is under it shown beside it), worst = as the worst assessment under "
        "it")] = "own"
    drafts: Annotated[Literal["mark", "omit"], _d(
        "Uppföljningar som inte är klara (ready: false): mark = visas märkta \"Utkast\", "
        "omit = utelämnas ur rapporten och webbplatsen",
        "Follow-ups not ready (ready: false): mark = shown marked \"Utkast\" (draft), "
        "omit = left out of the report and the site")] = "mark"
    contents: Annotated[bool | Literal["auto"], _d(
        "Innehållsförteckning i DOCX och HTML: auto = när rapporten har fler än 20 mål, "
        "true = alltid, false = aldrig",
        "A table of contents in DOCX and HTML: auto = when the report has more than 20 "
        "goals, true = always, false = never")] = "auto"
    diarienummer: Annotated[str | None, _d(
        "Diarienummer under rubriken, t.ex. KS 2023/123",
        "Registration number under the title, e.g. KS 2023/123")] = None
    logo: Annotated[str | None, _d(
        "Logotyp i rubrikblocket: en PNG- eller JPEG-fil i repositoriet, t.ex. logo.png",
        "Logo in the title block: a PNG or JPEG file inside the repository, e.g. logo.png")] = None


class SiteLink(Strict):
    label: Annotated[Text, _d("Länktext", "Link text")]
    url: Annotated[str, msgspec.Meta(pattern="^https?://[^\\s<>\"']+" + END), _d(
        "Adress som börjar med https://", "Address starting with https://")]


class Site(Strict):
    """The public website (malpl site): the municipality's colour, logo and links."""

    color: Annotated[Colour, _d(
        "Sidhuvudets färg som #rrggbb", "The header's colour as #rrggbb")] = "#1f4e79"
    logo: Annotated[str | None, _d(
        "Logotyp: en PNG- eller JPEG-fil i repositoriet, t.ex. bilder/logo.png",
        "Logo: a PNG or JPEG file inside the repository, e.g. bilder/logo.png")] = None
    links: Annotated[list[SiteLink], _d(
        "Länkar i sidfoten, t.ex. till kommunens webbplats",
        "Links in the footer, e.g. to the municipality's website")] = []


# What pip and pre-commit read as one word: no space or control character, and no leading
# '-' (it would be read as an option).
Word = Annotated[str, msgspec.Meta(pattern="^[^\\s\\x00-\\x1f\\x7f-][^\\s\\x00-\\x1f\\x7f]*" + END)]


class Hook(Strict):
    """The pre-commit hook: malpl installed by pre-commit from the project's repository."""

    repo: Annotated[Word, _d(
        "Repositoriet som pre-commit hämtar malpl från, t.ex. https://github.com/malpl/malpl",
        "The repository pre-commit installs malpl from, e.g. https://github.com/malpl/malpl")]
    rev: Annotated[Word, _d(
        "Versionens tagg i det repositoriet, t.ex. v0.1.0",
        "The version's tag in that repository, e.g. v0.1.0")]


class Install(Strict):
    """Where CI and the pre-commit hook get malpl; ``malpl init`` writes its CI files from it."""

    from_: Annotated[Word | None, _d(
        "Vad CI installerar med pip: malpl==0.1.0 (från ett paketindex), "
        "git+https://github.com/malpl/malpl@v0.1.0 (från git) eller en wheel-fil i "
        "repositoriet, t.ex. wheels/malpl-0.1.0-py3-none-any.whl",
        "What CI installs with pip: malpl==0.1.0 (from a package index), "
        "git+https://github.com/malpl/malpl@v0.1.0 (from git) or a wheel file in the "
        "repository, e.g. wheels/malpl-0.1.0-py3-none-any.whl")] = msgspec.field(
            default=None, name="from")
    hook: Annotated[Hook | None, _d(
        "pre-commit-kroken (.pre-commit-config.yaml)",
        "The pre-commit hook (.pre-commit-config.yaml)")] = None


def _default_levels() -> list[Level]:
    return [Level(key="inriktningsmal", label="Inriktningsmål"),
            Level(key="utvecklingsmal", label="Utvecklingsmål")]


def _default_scale() -> list[ScaleStep]:
    return [
        # A symbol of its own per step: told apart in grey print and without colour vision.
        ScaleStep(key="uppfyllt", label="Uppfyllt", color="#2e7d32", symbol="●"),
        ScaleStep(key="delvis_uppfyllt", label="Delvis uppfyllt", color="#c77700", symbol="▲"),
        ScaleStep(key="ej_paborjat", label="Ej påbörjat", color="#455a64", symbol="□"),
        ScaleStep(key="ej_uppfyllt", label="Ej uppfyllt", color="#c62828", symbol="■"),
    ]


class Config(Strict):
    """malpl.yaml: everything that differs between municipalities."""

    organisation: Organisation = msgspec.field(default_factory=Organisation)
    language: Annotated[Literal["sv", "en"], _d(
        "Språket malpl talar: meddelanden, hjälp och frågor (sv eller en); "
        "miljövariabeln MALPL_LANG går före",
        "The language malpl speaks: messages, help and questions (sv or en); the environment "
        "variable MALPL_LANG overrides it")] = "sv"
    body: Annotated[str, _d(
        "Nämnd eller styrelse, när repositoriet bara har en (annars bodies)",
        "The board, when the repository has only one (otherwise bodies)")] = "Kommunstyrelsen"
    bodies: Annotated[list[Body], _d(
        "Fullmäktige, styrelse, nämnder och bolag i rapportens ordning",
        "Council, board, committees and companies in the report's order")] = []
    title: Annotated[Text, _d(
        "Rapportens rubrik", "The report's title")] = "Uppföljning av utvecklingsmål"
    levels: Annotated[list[Level], msgspec.Meta(min_length=1), _d(
        "Målnivåer, högsta först", "Goal levels, highest first")] = \
        msgspec.field(default_factory=_default_levels)
    scale: Annotated[list[ScaleStep], msgspec.Meta(min_length=1), _d(
        "Bedömningsskala, bästa först", "Assessment scale, best first")] = \
        msgspec.field(default_factory=_default_scale)
    labels: Labels = msgspec.field(default_factory=Labels)
    periods: Periods = msgspec.field(default_factory=Periods)
    kolada: Annotated[KoladaSettings, _d(
        "Hämtning från Kolada (malpl kolada pull)", "Fetching from Kolada (malpl kolada pull)")] = \
        msgspec.field(default_factory=KoladaSettings)
    report: Annotated[ReportOptions, _d(
        "Vad rapporten visar utöver målens egna ord", "What the report shows besides the goals' words")] = \
        msgspec.field(default_factory=ReportOptions)
    site: Annotated[Site, _d(
        "Webbplatsen (malpl site)", "The website (malpl site)")] = \
        msgspec.field(default_factory=Site)
    install: Annotated[Install, _d(
        "Var CI och pre-commit-kroken hämtar malpl (malpl init skriver CI-filerna därifrån)",
        "Where CI and the pre-commit hook get malpl (malpl init writes the CI files from it)")] = \
        msgspec.field(default_factory=Install)

    def __post_init__(self) -> None:
        if not self.labels.target:  # a word no level uses, so no summary heading is ambiguous
            self.labels.target = "Delmål"

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
        # Not validated: an empty 'body:' is the template's business, not an error.
        return [Body(key=slug(self.body), name=self.body, kind="styrelse")]


def slug(text: str) -> str:
    """A key from a name: 'Kommunstyrelsen' → 'kommunstyrelsen', 'Barn- och …' → 'barn-och-…'."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "styrelse"
