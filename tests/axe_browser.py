"""A real headless Chromium with axe-core, shared by the browser tests of the report and
the website.

Needs Debian's ``chromium`` and axe-core from npm (``npm install axe-core`` in
``~/.cache/malpl-axe``, or ``MALPL_AXE`` naming ``axe.min.js``); ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(os.environ.get("MALPL_AXE") or
           Path.home() / ".cache" / "malpl-axe" / "node_modules" / "axe-core" / "axe.min.js")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                    "(apt-get install chromium); .ci/run installs it")


def launch() -> Iterator:
    """The browser for a module-scoped fixture: ``yield from launch()``."""
    if not AXE.is_file() and shutil.which("npm") and "MALPL_AXE" not in os.environ:
        # A machine with chromium but without axe-core: fetch it where .ci/run puts it.
        subprocess.run(["npm", "install", "--prefix", str(AXE.parents[2]), "--silent",
                        "--no-audit", "--no-fund", "axe-core"], check=False, capture_output=True)
    if not AXE.is_file():  # no npm, or no network to fetch it with: .ci/run provides it
        pytest.skip(f"axe-core is not at {AXE} and could not be fetched: "
                    f"npm install axe-core in {AXE.parents[2]} (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def violations(browser, url: str, width: int, measure: str = ""
               ) -> tuple[list[dict], int, int] | tuple[list[dict], int, int, object]:
    """axe-core's violations on the page at ``url`` (best practice included), and the
    page's scroll and client widths; and what the script ``measure`` returns, when given.
    The page may load only from its own origin."""
    parts = urlsplit(url)
    own = "file:" if parts.scheme == "file" else f"{parts.scheme}://{parts.netloc}/"
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort()
               if not route.request.url.startswith((own, "data:")) else route.continue_())
    response = page.goto(url)
    assert response is None or response.ok, f"{url}: HTTP {response.status}"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.html)}));
    }""", TAGS)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    measured = page.evaluate(measure) if measure else None
    page.close()
    return (result, scroll, client, measured) if measure else (result, scroll, client)
