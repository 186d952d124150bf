"""Numbers and dates as Swedish readers expect them: 79,2 %, 5 200, 26 november 2026."""

from __future__ import annotations

import datetime as dt

NBSP = "\u00a0"
# A measure's ``source:`` as a reader sees it.
SOURCES = {"local": "egen mätning", "survey": "enkät", "kolada": "Kolada"}
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")


def number(value: float, decimals: int | None = None) -> str:
    """``79.2`` → ``79,2``; ``5200`` → ``5 200`` (no-break space); whole numbers lose ``,0``."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
        if decimals and round(value, 1) != round(value, 2):
            decimals = 2
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def with_unit(value: float, unit: str | None) -> str:
    if not unit:
        return number(value)
    return f"{number(value)}{NBSP}{unit}"


def share(part: int, whole: int) -> str:
    """A share as a percentage with one decimal: ``9,5 %``."""
    if whole == 0:
        return f"0{NBSP}%"
    return f"{number(100 * part / whole, 1)}{NBSP}%"


def date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def lower_first(text: str) -> str:
    """'Riket' → 'riket' mid-sentence; an abbreviation such as 'SKR' stays as it is."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
