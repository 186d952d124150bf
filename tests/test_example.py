"""The shipped example holds every word of the seed report, in the seed's order, and nothing
the seed does not say."""

from __future__ import annotations

from malpl.model import FollowUp, Measure, plain
from malpl.repository import load_repository
from tests.conftest import ROOT
from tests.test_example_source import source_words


def seed_words() -> list[str]:
    """The seed's words without its layout, after its first line: "1 Kommunstyrelsens
    Utvecklingsmål" is the report's chapter heading, not a goal's words."""
    words = source_words()
    assert words[:3] == ["1", "Kommunstyrelsens", "Utvecklingsmål"]
    return words[3:]


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


def test_the_example_holds_only_what_the_source_says() -> None:
    """The T1-2023 follow-up with its comments, and measures that are names only: no
    assessment, forecast, value, structured target, figure, Kolada id or date that the
    source does not have (tests/fixtures/ange-enriched has them, for the tests)."""
    repo = load_repository(ROOT)
    assert len(repo.goals) == 15
    follows = [f for g in repo.goals for t in g.targets for f in t.followups.values()]
    assert {p for g in repo.goals for t in g.targets for p in t.followups} == {"T1-2023"}
    assert all(plain(f) == plain(FollowUp(comment=f.comment, ready=True)) for f in follows)
    assert all(t.target is None for g in repo.goals for t in g.targets)
    assert all(plain(m) == plain(Measure(id=m.id, name=m.name))
               for g in repo.goals for m in g.measures)
    config = repo.config
    assert config.organisation.kolada_id is None and not config.periods.dates
    assert not config.report.date
