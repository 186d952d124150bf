"""The HTML report in a real headless Chromium: axe-core finds no violation (best practice
included) at 1280 and 320 px, and the page does not scroll sideways.

Needs Debian's ``chromium`` and axe-core from npm (``npm install axe-core`` in
``~/.cache/malpl-axe``, or ``MALPL_AXE`` naming ``axe.min.js``); ``.ci/run`` installs both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from malpl.periods import Period
from malpl.report import write_report
from malpl.repository import load_repository
from tests.conftest import full_layer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(os.environ.get("MALPL_AXE") or
           Path.home() / ".cache" / "malpl-axe" / "node_modules" / "axe-core" / "axe.min.js")
DAY = dt.date(2023, 9, 15)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install chromium); .ci/run installs it")


@pytest.fixture(scope="module")
def browser():
    assert AXE.is_file(), f"axe-core not found at {AXE}: npm install axe-core in {AXE.parents[2]}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _violations(browser, html: Path, width: int) -> tuple[list[dict], int, int]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort()
               if not route.request.url.startswith(("file:", "data:")) else route.continue_())
    page.goto(html.as_uri())
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.html)}));
    }""")
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.close()
    return result, scroll, client


@pytest.mark.parametrize("width", [1280, 320])
def test_html_report_passes_axe_core_without_sideways_scroll(browser, repo: Path, shipped: Path,
                                                              width: int) -> None:
    reports = [write_report(load_repository(repo), Period(2023, 2, "T"), "html", today=DAY),
               write_report(load_repository(full_layer(shipped)), Period(2023, 1, "T"), "html",
                            today=DAY)]
    for html in reports:
        violations, scroll, client = _violations(browser, html, width)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
        assert scroll <= client, f"{html.name} scrolls sideways at {width} px"
