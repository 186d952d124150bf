"""Ids in the order people number them: every run of digits is a number, wherever it
stands ("MO2" before "MO10", as "1.2" before "1.10"), in status and in the report."""

from __future__ import annotations

import datetime as dt
import re
import string

from hypothesis import example, given
from hypothesis import strategies as st

from malpl.periods import parse_period
from malpl.report import markdown_text
from malpl.repository import load_repository, natural_key
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

TRENDER = FIXTURES / "trender"
LETTERS = st.text(string.ascii_letters + "-_.: ", max_size=6)
NUMBERS = st.integers(min_value=0, max_value=10**12)


def test_letters_then_digits_sort_by_the_number() -> None:
    """Finding: "MO1, MO10, MO2" and "KS1, KS10, KS2" sorted as text."""
    assert sorted(["MO10", "MO2", "MO1"], key=natural_key) == ["MO1", "MO2", "MO10"]
    assert sorted(["KS10", "KS2", "KS1"], key=natural_key) == ["KS1", "KS2", "KS10"]
    assert sorted(["KS-10", "KS-2", "KS-1"], key=natural_key) == ["KS-1", "KS-2", "KS-10"]
    assert sorted(["6.10", "6.9", "1:10", "1:2", "1.10", "1.2"], key=natural_key) == [
        "1.2", "1:2", "1.10", "1:10", "6.9", "6.10"]


@given(LETTERS, st.lists(NUMBERS, min_size=1, max_size=8, unique=True))
def test_a_prefix_and_a_number_sort_by_the_number(prefix: str, numbers: list[int]) -> None:
    ids = [f"{prefix}{n}" for n in numbers]
    assert sorted(ids, key=natural_key) == [f"{prefix}{n}" for n in sorted(numbers)]


@given(st.lists(NUMBERS, min_size=1, max_size=4), st.lists(NUMBERS, min_size=1, max_size=4),
       st.sampled_from(".:"))
def test_dotted_numbers_sort_part_by_part(a: list[int], b: list[int], sep: str) -> None:
    """'1.2' < '1.10' and '1:2' < '1:10' still: parts compare as numbers, a shorter id
    that begins another comes first."""
    first, second = sep.join(map(str, a)), sep.join(map(str, b))
    if a != b:
        assert (natural_key(first) < natural_key(second)) == (a < b)


@given(st.text(max_size=12), st.text(max_size=12))
@example("1.01", "1.1")
@example("1.²", "1.2")
def test_any_two_ids_have_one_order(a: str, b: str) -> None:
    """Also ids a number alone does not tell apart ("1.01", "1.1"), and digits that are
    not ASCII ("²"): no error, and equal keys only for equal ids."""
    assert (natural_key(a) == natural_key(b)) == (a == b)
    assert sorted([a, b], key=natural_key) == sorted([b, a], key=natural_key)


def _order(text: str, ids: list[str]) -> list[str]:
    found = {i: m.start() for i in ids if (m := re.search(rf"\b{i}\b", text))}
    return sorted(found, key=found.__getitem__)


def test_status_lists_mo1_mo2_mo10_in_order() -> None:
    result = invoke(["-C", str(TRENDER), "status", "T1-2024"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert _order(result.output, ["MO10", "MO2", "MO1"]) == ["MO1", "MO2", "MO10"]


def test_report_markdown_lists_mo1_mo2_mo10_in_order() -> None:
    text = markdown_text(load_repository(TRENDER), parse_period("T1-2024", "tertial"),
                         today=dt.date(2024, 5, 20))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert _order("\n".join(headings), ["MO10", "MO2", "MO1"]) == ["MO1", "MO2", "MO10"]
