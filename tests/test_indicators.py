"""Indicators: a measure that is the assessed row, its assessment computed from its rule."""

from __future__ import annotations

import pytest

from malpl.indicators import rule_text, verdict
from malpl.model import Config, Measure, MeasureTarget, convert
from malpl.repository import load_repository
from tests.conftest import FIXTURES

CONFIG = Config()


def series(values: dict[str, float | None]) -> list[tuple[str, int, float]]:
    return [(k, int(k), v) for k, v in sorted(values.items()) if v is not None]


def measure(goal: str, ident: str) -> Measure:
    repo = load_repository(FIXTURES / "indikatorer")
    found = repo.goal(goal)
    assert found is not None
    return next(m for m in found.measures if m.id == ident)


@pytest.mark.parametrize(("goal", "ident", "outcome", "rule", "basis"), [
    ("1.1", "1.1.i1", "reached", "i snitt över 2\u00a0% under tre år",
     "2,43\u00a0% (snitt 2021–2023, 3 värden)"),
    ("1.1", "1.1.i2", "missed", "över 40\u00a0%", "38,1\u00a0% (2023)"),
    ("2.1", "2.1.i1", "missed", "högst 12\u00a0st", "17\u00a0st (2023)"),
    ("2.1", "2.1.i2", "missed", "minst 100\u00a0%", "89\u00a0% (2023)"),
    ("3.1", "3.1.i1", "missed", "minst 80\u00a0%", "76\u00a0% (2023)"),
    ("3.2", "3.2.i1", "missed", "högst 6\u00a0% av arbetstid", "6,5\u00a0% av arbetstid (2023)"),
])
def test_the_fixtures_indicators_are_assessed_by_their_rules(goal: str, ident: str,
                                                            outcome: str, rule: str,
                                                            basis: str) -> None:
    found = measure(goal, ident)
    result = verdict(CONFIG, found, series(found.values))
    assert (result.outcome, result.rule, result.basis) == (outcome, rule, basis)
    assert result.key == {"reached": "uppfyllt", "missed": "ej_uppfyllt"}[outcome]


def _with(target: dict, direction: str = "higher") -> Measure:
    return convert(Measure, {"id": "m", "name": "M", "direction": direction, "target": target})


def test_a_strict_bound_is_not_an_inclusive_one() -> None:
    """'>40' is not 'minst 40'."""
    at_40 = series({"2023": 40})
    assert verdict(CONFIG, _with({"above": 40}), at_40).outcome == "missed"
    assert verdict(CONFIG, _with({"min": 40}), at_40).outcome == "reached"
    assert verdict(CONFIG, _with({"below": 6}, "lower"), series({"2023": 6})).outcome == "missed"
    assert verdict(CONFIG, _with({"max": 6}, "lower"), series({"2023": 6})).outcome == "reached"


def test_partly_within_a_band_in_the_measures_unit() -> None:
    rule = _with({"min": 80, "partly": 5})
    assert verdict(CONFIG, rule, series({"2023": 76})).key == "delvis_uppfyllt"
    assert verdict(CONFIG, rule, series({"2023": 74})).key == "ej_uppfyllt"
    assert rule_text(rule) == "minst 80 (delvis inom 5)"


def test_a_reference_series_is_the_target() -> None:
    rule = _with({"reference": "riket"})
    values, riket = series({"2023": 83.0}), series({"2022": 80.0, "2023": 83.5})
    result = verdict(CONFIG, rule, values, riket, "Riket")
    assert (result.outcome, result.rule) == ("missed", "minst riket")
    assert "Riket 83,5" in result.basis
    missing = verdict(CONFIG, rule, values, [], "Riket")
    assert missing.key is None and missing.why == "Riket saknar värde"


def test_no_value_no_verdict() -> None:
    result = verdict(CONFIG, _with({"min": 1}), [])
    assert result.key is None and result.why == "inget värde ännu"


def test_a_rule_is_a_valid_part_of_the_format() -> None:
    assert convert(MeasureTarget, {"above": 2, "average": 3}).average == 3


def _indicator_repo(tmp_path, extra: str):
    import shutil

    root = tmp_path / "ind"
    shutil.copytree(FIXTURES / "indikatorer", root)
    path = root / "goals" / "kf" / "1.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "        comment: Investeringarna", extra + "        comment: Investeringarna"),
        encoding="utf-8")
    return root


def test_check_warns_when_a_hand_set_assessment_contradicts_the_rule(tmp_path) -> None:
    from malpl.checks import check

    clean = check(FIXTURES / "indikatorer")
    assert not clean.problems
    root = _indicator_repo(tmp_path, "        assessment: uppfyllt\n")
    found = [p for p in check(root).problems if p.code == "assessment-contradicts-rule"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "'uppfyllt' is set by hand, but the rule (över 40\u00a0%) and the value " \
           "38,1\u00a0% (2023) give 'ej_uppfyllt'" in found[0].message
    agreeing = _indicator_repo(tmp_path / "b", "        assessment: ej_uppfyllt\n")
    assert not check(agreeing).problems


def test_an_indicator_without_a_rule_and_follow_ups_without_an_indicator(tmp_path) -> None:
    from malpl.checks import check

    root = _indicator_repo(tmp_path, "")
    path = root / "goals" / "kf" / "3.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    target: {min: 80}\n", ""),
                    encoding="utf-8")
    path = root / "goals" / "kf" / "2.1.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    assessed: true\n    target: {max: 12}\n", "", 1),
                    encoding="utf-8")
    problems = {(p.path, p.code) for p in check(root).problems}
    assert ("goals/kf/3.1.yaml", "missing-field") in problems
    assert ("goals/kf/2.1.yaml", "invalid-value") in problems
