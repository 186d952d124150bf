"""The shipped example holds every word of the seed report, in the seed's order."""

from __future__ import annotations

import re

from malpl.repository import load_repository
from tests.conftest import FIXTURES, ROOT


def seed_words() -> list[str]:
    """The seed (text extracted from the PDF) without its layout: page headers."""
    text = (FIXTURES / "seed-ange-t1-2023.txt").read_text(encoding="utf-8")
    text = text.replace("Utvecklingsmål Kommentar Mått", " ")  # repeated column headers
    text = re.sub(r"^\s*1 Kommunstyrelsens Utvecklingsmål", "", text)  # page number + title
    return text.split()


def example_words() -> list[str]:
    """Goal ids and titles, targets, comments and measures, in reading order."""
    words: list[str] = []
    for goal in load_repository(ROOT).goals:
        words += [goal.id, *goal.title.split()]
        for target in goal.targets:
            words += target.text.split()
            for follow in target.followups.values():
                words += (follow.comment or "").split()
        for measure in goal.measures:
            words += measure.name.split()
    return words


def test_every_word_of_the_seed_in_order() -> None:
    assert example_words() == seed_words()


def test_the_example_is_the_t1_2023_follow_up() -> None:
    repo = load_repository(ROOT)
    assert len(repo.goals) == 15
    periods = {p for g in repo.goals for t in g.targets for p in t.followups}
    assert periods == {"T1-2023"}
    assessed = {t.id: t.followups["T1-2023"].assessment for g in repo.goals for t in g.targets
                if "T1-2023" in t.followups and t.followups["T1-2023"].assessment}
    assert assessed == {"1.2.1": "ej_paborjat", "1.2.2": "ej_paborjat",
                        "1.3.1": "uppfyllt", "1.5.1": "uppfyllt"}
    measure = repo.goal("1.1").measures[0]
    assert measure.values == {"2022": 79.2}
    assert measure.references["alla_kommuner"].values == {"2022": 83.5}
    forecast = measure.forecasts["2023"]
    assert (forecast.low, forecast.high) == (75, 80)
