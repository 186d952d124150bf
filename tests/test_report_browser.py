"""The HTML report in a real headless Chromium: axe-core finds no violation (best practice
included) at 1280 and 320 px, and the page does not scroll sideways."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from malpl.periods import Period
from malpl.report import write_report
from malpl.repository import load_repository
from tests.axe_browser import launch, needs_chromium, violations
from tests.conftest import full_layer

DAY = dt.date(2023, 9, 15)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.mark.parametrize("width", [1280, 320])
def test_html_report_passes_axe_core_without_sideways_scroll(browser, repo: Path, shipped: Path,
                                                              width: int) -> None:
    reports = [write_report(load_repository(repo), Period(2023, 2, "T"), "html", today=DAY),
               write_report(load_repository(full_layer(shipped)), Period(2023, 1, "T"), "html",
                            today=DAY)]
    for html in reports:
        found, scroll, client = violations(browser, html.as_uri(), width)
        assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
        assert scroll <= client, f"{html.name} scrolls sideways at {width} px"
