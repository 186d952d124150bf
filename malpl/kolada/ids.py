"""Kolada ids. Only an id that matches one of these forms is ever put into a request URL."""

from __future__ import annotations

import re

from malpl.i18n import N_

# [0-9], not \d: in Python \d is any digit, such as '٢'.
KPI = re.compile(r"[NUV][0-9]{5}")
MUNICIPALITY = re.compile(r"[0-9]{4}")  # a municipality (2260), a region (0022) or Riket (0000)
GROUP = re.compile(r"G[0-9]{1,9}")  # a municipality group, such as an unweighted average
OU = re.compile(r"V[0-9]{2}E[0-9]{6,12}")  # an organisational unit, such as a school

KPI_HINT = N_("Kolada KPI ids are a letter (N, U or V) and five digits, such as N15428; "
              "'malpl kolada search TEXT' finds them")
ENTITY_HINT = N_("a municipality is four digits in quotes (\"2260\", Riket \"0000\"); a group is G "
                 "and digits, found on kolada.se or with /municipality_groups?title=")


def is_kpi(text: str) -> bool:
    return KPI.fullmatch(text) is not None


def is_entity(text: str) -> bool:
    """A municipality, region, Riket or municipality group."""
    return MUNICIPALITY.fullmatch(text) is not None or GROUP.fullmatch(text) is not None


def is_ou(text: str) -> bool:
    return OU.fullmatch(text) is not None


class KoladaId(str):
    """An id checked against the forms above; the client takes nothing else into a path."""

    def __new__(cls, text: str) -> KoladaId:
        if not (is_kpi(text) or is_entity(text) or is_ou(text)):
            raise ValueError(f"not a Kolada id: {text!r}")
        return super().__new__(cls, text)
