"""Follow-up periods: ``T1-2023`` (tertial), ``K2-2024`` (kvartal), ``H1-2025`` (halvår).

A period key is parsed once here; everything else compares ``Period`` values.
Measures may also be keyed by a bare year (``2022``), the usual grain of
national statistics.
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from malpl.i18n import _

SCHEMES: dict[str, tuple[str, int, str]] = {
    # scheme: (prefix, periods per year, Swedish name)
    "tertial": ("T", 3, "Tertial"),
    "kvartal": ("K", 4, "Kvartal"),
    "halvar": ("H", 2, "Halvår"),
}
_PERIOD = re.compile(r"^([A-ZÅÄÖ])([0-9]{1,2})-([0-9]{4})$")  # digits as written in ASCII
_YEAR = re.compile(r"^[0-9]{4}$")
YEAR_RANGE = (1900, 2100)


class Period(msgspec.Struct, frozen=True, order=True):
    """A period of a year, or the whole year when ``number`` is 0."""

    year: int
    number: int
    prefix: str = ""

    def __str__(self) -> str:
        return f"{self.prefix}{self.number}-{self.year}" if self.number else str(self.year)

    @property
    def sort_key(self) -> tuple[int, int]:
        # A whole year's value comes after the periods of that year.
        return (self.year, self.number or 99)

    def end_month(self, scheme: str) -> tuple[int, int]:
        """(year, month) when the period ends; a year ends in December."""
        if not self.number:
            return (self.year, 12)
        return (self.year, self.number * 12 // SCHEMES[scheme][1])

    def follows(self, other: Period, scheme: str) -> bool:
        """Is this the point right after ``other`` (the next year, or the next period)?"""
        if bool(self.number) != bool(other.number):
            return False
        if not self.number:
            return self.year == other.year + 1
        count = SCHEMES[scheme][1]
        return self.year * count + self.number == other.year * count + other.number + 1


def current_period(scheme: str, today: dt.date) -> Period:
    """The period that ``today`` falls in."""
    prefix, count = SCHEMES[scheme][:2]
    return Period(today.year, (today.month - 1) * count // 12 + 1, prefix)


class PeriodError(ValueError):
    """A period key that is malformed or not part of the scheme; message and hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def example(scheme: str, year: int = 2023) -> str:
    prefix, count = SCHEMES[scheme][:2]
    return f"{prefix}1-{year} … {prefix}{count}-{year}"


def parse_period(key: str, scheme: str) -> Period:
    """Parse ``T1-2023``; raise :class:`PeriodError` with a hint when it is wrong."""
    prefix, count, name = SCHEMES[scheme]
    match = _PERIOD.match(key.strip())
    if not match:
        raise PeriodError(_("'{key}' is not a period").format(key=key), _form_hint(key, scheme))
    letter, number, year = match.group(1), int(match.group(2)), int(match.group(3))
    in_range = YEAR_RANGE[0] <= year <= YEAR_RANGE[1]
    if letter != prefix or not 1 <= number <= count:
        raise PeriodError(
            _("'{key}' is not a period of the scheme '{scheme}' ({name} 1–{count})").format(
                key=key, scheme=scheme, name=name.lower(), count=count),
            _("{form} (the scheme is set by 'periods.scheme' in malpl.yaml)").format(
                form=_form(scheme, year if in_range else 2023)))
    if not in_range:
        raise PeriodError(_("the year in '{key}' is out of range ({low}–{high})").format(
            key=key, low=YEAR_RANGE[0], high=YEAR_RANGE[1]), _form(scheme, 2023))
    return Period(year, number, prefix)


def _form(scheme: str, year: int) -> str:
    return _("write periods as {example}").format(example=example(scheme, year))


def _form_hint(key: str, scheme: str) -> str:
    """How to write a period, with the year the person wrote and, when the period they
    meant is plain (``t1-2023``, ``2023-T1``), that period."""
    prefix, count = SCHEMES[scheme][:2]
    key = re.sub("[\u2010-\u2015\u2212]", "-", key)  # the dashes a word processor puts in
    short = re.fullmatch(r"\s*([a-zåäö][0-9]{1,2})-([0-9]{2})\s*", key, re.IGNORECASE)
    if short:  # T1-25: a year in two digits, this century's
        key = f"{short[1]}-20{short[2]}"
    years = [int(y) for y in re.findall(r"(?<![0-9])[0-9]{4}(?![0-9])", key)
             if YEAR_RANGE[0] <= int(y) <= YEAR_RANGE[1]]
    form = _form(scheme, years[0] if years else 2023)
    lower_case = re.fullmatch(r"\s*([a-zåäö])([0-9]{1,2})[-\s]+([0-9]{4})\s*", key,
                              re.IGNORECASE)
    year_first = re.fullmatch(r"\s*([0-9]{4})[-\s]*([a-zåäö])([0-9]{1,2})\s*", key,
                              re.IGNORECASE)
    if lower_case:
        letter, number, year = lower_case.groups()
    elif year_first:
        year, letter, number = year_first.groups()
    else:
        return form
    if letter.upper() == prefix and 1 <= int(number) <= count and years:
        return _("did you mean '{period}'? {form}").format(
            period=f"{letter.upper()}{int(number)}-{year}", form=form)
    return form


def parse_point(key: str, scheme: str) -> Period:
    """A measure's key: a year (``2022``) or a period (``T1-2023``)."""
    if _YEAR.match(key):
        year = int(key)
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise PeriodError(_("the year '{key}' is out of range").format(key=key),
                              _("write a four-digit year from {low} to {high}").format(
                                  low=YEAR_RANGE[0], high=YEAR_RANGE[1]))
        return Period(year, 0)
    try:
        return parse_period(key, scheme)
    except PeriodError as err:
        raise PeriodError(_("'{key}' is neither a year nor a period").format(key=key),
                          _("write a year such as 2022 or a period such as {example}").format(
                              example=example(scheme))) from err


def period_name(period: Period, scheme: str, labels: dict[str, str] | None = None) -> str:
    """The Swedish name readers see: ``Tertial 1 2023`` (or a configured label)."""
    if not period.number:
        return str(period.year)
    key = f"{period.prefix}{period.number}"
    if labels and key in labels:
        return f"{labels[key]} {period.year}"
    return f"{SCHEMES[scheme][2]} {period.number} {period.year}"
