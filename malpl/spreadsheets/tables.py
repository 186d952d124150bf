"""The views as spreadsheet tables: ``status``, ``show``, ``todo`` and ``measures``.

Headers and explanations are marked here in English and shown in the language in use;
what people wrote (texts, comments, names) and the configured labels are cells as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from malpl.i18n import N_
from malpl.snapshot import missing_text
from malpl.spreadsheets import Cell, Column, Sheet

if TYPE_CHECKING:
    from malpl.measureviews import MeasureView
    from malpl.model import Config
    from malpl.snapshot import Snapshot, TodoItem
    from malpl.views import GoalDetail, TargetRow

GOAL = Column(N_("Goal"), N_("The id of the goal the row belongs to."))
ID = Column(N_("Id"), N_("The id of the goal or target of the row."))
TEXT = Column(N_("Text"), N_("The goal's title or the target's text."))
RESPONSIBLE = Column(N_("Responsible"), N_("Who writes the follow-up (`responsible`)."))
ROWS = (
    Column(N_("Period"), N_("The follow-up period, such as T1-2024.")),
    Column(N_("Body"), N_("The board or committee whose goal it is.")),
    GOAL,
    ID,
    Column(N_("Level"), N_("What the row is: a goal's level, or a target under a goal.")),
    TEXT,
    RESPONSIBLE,
    Column(N_("Assessment"), N_("The assessment for the period (`assessment`), as the scale "
                                "names it; empty when not assessed yet.")),
    Column(N_("Assessment key"), N_("The same assessment as the key written in the goal "
                                    "file; empty when not assessed.")),
    Column(N_("Forecast"), N_("The forecast for the year (`forecast`), if one is given.")),
    Column(N_("Value"), N_("The outcome for the period (`value`), a number.")),
    Column(N_("Target value"), N_("What the target says should be reached, in words.")),
    Column(N_("Combined"), N_("For a goal without its own assessment: the assessments of "
                              "what is under it, counted.")),
    Column(N_("Comment"), N_("The comment for the period (`comment`), every paragraph.")),
    Column(N_("Ready"), N_("Yes when the follow-up is marked ready (`ready: true`); no "
                           "means it is a draft or not written.")),
)
TODO = (
    RESPONSIBLE,
    ID,
    TEXT,
    Column(N_("Missing"), N_("What is still to be written, with the key to type in the goal "
                             "file.")),
)
MEASURES = (
    Column(N_("Goal"), N_("The id of the goal the measure belongs to.")),
    Column(N_("Id"), N_("The measure's id.")),
    Column(N_("Measure"), N_("The measure's name.")),
    Column(N_("Unit"), N_("The unit of the values.")),
    Column(N_("Latest year"), N_("The year or period of the latest value.")),
    Column(N_("Latest value"), N_("The latest value known at the period's end, a number.")),
    Column(N_("Target value"), N_("What the measure should reach, in words.")),
    Column(N_("Baseline year"), N_("The year the measure is compared with (`baseline`).")),
    Column(N_("Baseline value"), N_("The value in the baseline year, a number.")),
    Column(N_("Trend"), N_("Better, unchanged or worse, or why there is no trend.")),
    Column(N_("Source"), N_("Where the values come from.")),
    Column(N_("Note"), N_("The measure's note (`note`).")),
)
#: What each table looks like, for recognising a spreadsheet malpl wrote.
KNOWN = (Sheet(N_("Status"), ROWS, []), Sheet(N_("To do"), TODO, []),
         Sheet(N_("Measures"), MEASURES, []))

def _row(config: Config, period: str, body: str, row: TargetRow) -> list[Cell]:
    from malpl.views import level_label

    return [period, body, row.goal_id, row.id, level_label(config, row.level), row.text,
            row.responsible, row.assessment.label if row.assessment.key else "",
            row.assessment.key or "", row.forecast.label if row.forecast else "", row.value,
            row.target, row.rollup, row.comment, row.ready]


def status(view: Snapshot) -> Sheet:
    names = {b.key: b.name for b in view.config.body_list()}
    return Sheet(N_("Status"), ROWS, [_row(view.config, str(view.period),
                                           names.get(r.body, r.body), r) for r in view.rows])


def show(config: Config, detail: GoalDetail) -> Sheet:
    """The goal's own row and its targets' in the period shown."""
    rows = ([detail.own] if detail.own else []) + detail.targets
    return Sheet(N_("Status"), ROWS, [_row(config, detail.period, detail.body, r.row)
                                      for r in rows])


def todo(groups: dict[str, list[TodoItem]]) -> Sheet:
    return Sheet(N_("To do"), TODO, [[who, i.target.id, i.target.text, missing_text(i.missing)]
                                     for who, items in groups.items() for i in items])


def measures(views: list[MeasureView]) -> Sheet:
    return Sheet(N_("Measures"), MEASURES, [
        [m.goal_id, m.id, m.name, m.unit, m.latest.key if m.latest else "",
         m.latest.value if m.latest else None, m.target, m.baseline.key if m.baseline else "",
         m.baseline.value if m.baseline else None, m.trend_text, m.source, m.note]
        for m in views])
