"""The shipped example's report says what Ånge's report says, word for word, and nothing more.

The source is the text extracted from the published PDF (tertial 1 2023). Its line
breaks, its page breaks and the column headers repeated on every page are layout, not
words. The report, rendered through the command line, may add only the structure listed
here; every other word must be the source's, in the source's order, and every word of
the source must be there.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path

from malpl.repository import load_repository
from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT

SOURCE = FIXTURES / "seed-ange-t1-2023.txt"

# What the report adds around the source's words, and nothing else:
# the title block: the report's title – the period's name, then organisation · body;
TITLE_BLOCK = ["Kommunstyrelsens", "Utvecklingsmål", "–", "Tertial", "1", "2023",
               "Ånge", "kommun", "·", "Kommunstyrelsen"]
# each goal's table header, which the source repeats on every page as layout;
COLUMN_HEADERS = ["Utvecklingsmål", "Kommentar", "Mått"]
# and each target's id (1.1.1), which the source gives only by the row's place.


def source_words() -> list[str]:
    """The source's words without its layout. The only line that ends in a hyphen is
    "Försäljnings- och", a Swedish compound, so no word is split across lines."""
    text = SOURCE.read_text(encoding="utf-8")
    return _without_headers(text.split())


def report_words(markdown: str) -> list[str]:
    """The words a reader sees in the Markdown: no markup, no escapes, no table rules."""
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    text = re.sub(r"^\|(?::?-+:?\|)+$", " ", text, flags=re.M)  # |:---|:---| under a header
    text = re.sub(r"</?[a-z][^>]*>|\*\*|\||^#+ ", " ", text, flags=re.M)  # <br>, <span>
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # 1\.1, stöd \& omsorg
    return text.split()


def _without_headers(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.append(word)
        if out[-len(COLUMN_HEADERS):] == COLUMN_HEADERS:
            del out[-len(COLUMN_HEADERS):]
    return out


def without_structure(words: list[str], target_ids: list[str]) -> list[str]:
    """The report's words after the title block, without column headers and target ids;
    an assertion fails when the title block is not exactly the one listed above."""
    assert words[:len(TITLE_BLOCK)] == TITLE_BLOCK, words[:len(TITLE_BLOCK) + 5]
    words = _without_headers(words[len(TITLE_BLOCK):])
    ids = Counter(target_ids)
    seen = Counter(w for w in words if w in ids)
    assert seen == ids, f"each target's id once: {sorted((ids - seen) + (seen - ids))}"
    return [w for w in words if w not in ids]


def shipped_report(root: Path = ROOT) -> str:
    result = invoke(["-C", str(root), "report", "T1-2023", "--format", "md", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.stderr  # no note: nothing is dated by the day it ran
    return result.stdout


def compare(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(the source's words, the report's words besides structure)."""
    ids = [t.id for g in load_repository(root).goals for t in g.targets]
    return source_words(), without_structure(report_words(shipped_report(root)), ids)


def test_the_report_has_every_word_of_the_source_and_no_other() -> None:
    source, report = compare()
    missing, added = Counter(source) - Counter(report), Counter(report) - Counter(source)
    assert not missing, f"words of the source the report lacks: {dict(missing)}"
    assert not added, f"words the report adds to the source: {dict(added)}"
    changes = [line for line in difflib.unified_diff(source, report, lineterm="", n=2)]
    assert source == report, "\n".join(changes[:60])


def test_an_added_assessment_or_date_is_found(shipped: Path) -> None:
    """The comparison is not blind: a copy with one assessment and a date fails it."""
    _dated(shipped, "2023-05-22")
    goal = shipped / "goals" / "1.3.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        "      T1-2023:\n", "      T1-2023:\n        assessment: uppfyllt\n", 1),
        encoding="utf-8")
    source, report = compare(shipped)
    assert Counter(report) - Counter(source) == Counter(["●", "Uppfyllt", "·", "22", "maj",
                                                         "2023"])


def test_the_report_is_dated_only_by_a_stated_date(shipped: Path) -> None:
    """report.date: false (as the source, which has no date): --date or periods.dates
    date the report; without them it has no date, and no note says "today"."""
    byline = "Ånge kommun · Kommunstyrelsen"
    assert f"\n{byline}\n" in shipped_report(shipped)
    given = invoke(["-C", str(shipped), "report", "T1-2023", "-f", "md", "-o", "-",
                    "--date", "2023-06-12"])
    assert f"\n{byline} · 12 juni 2023\n" in given.stdout
    _dated(shipped, "2023-05-22")
    assert f"\n{byline} · 22 maj 2023\n" in shipped_report(shipped)


def _dated(root: Path, day: str) -> None:
    """``periods.dates`` for T1-2023 in the repository's malpl.yaml."""
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "periods:\n", f'periods:\n  dates:\n    T1-2023: "{day}"\n', 1), encoding="utf-8")
