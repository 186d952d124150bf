"""The website in a real headless Chromium over a real HTTP server on 127.0.0.1, on every
page of the fixture municipality's site and of the shipped example, at 1280 and 320 px:
axe-core finds no violation (best practice included), no page scrolls sideways, no word
of twelve letters or fewer breaks across lines, and no text is smaller than 12 px."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from malpl.repository import load_repository
from malpl.site import write_site
from malpl.views import resolve_period
from tests.axe_browser import launch, needs_chromium, violations

ROOT = Path(__file__).resolve().parent.parent
REPOS = {"kommun": ROOT / "tests" / "fixtures" / "kommun", "example": ROOT}

pytestmark = needs_chromium

#: Every word of the page's text (12 letters or fewer) whose range takes more than one
#: line box, and every visible element with text whose font is smaller than 12 px (an SVG
#: text's size scaled as the SVG is drawn).
MEASURE = """() => {
    const broken = [], small = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement;
        if (!element || !element.checkVisibility() || !node.data.trim()) continue;
        const re = /[\\p{L}\\p{N}]+(?:['’:.,][\\p{L}\\p{N}]+)*/gu;  // a hyphen may break
        for (const m of node.data.matchAll(re)) {
            if (m[0].length > 12) continue;
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                 .map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(m[0]);
        }
        let size = parseFloat(getComputedStyle(element).fontSize);
        const svg = element.closest('svg');
        if (svg) size *= svg.getScreenCTM().a;
        if (size < 11.95)
            small.push(`${element.tagName} ${size.toFixed(1)}px: ${node.data.trim().slice(0, 30)}`);
    }
    return [broken, small];
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # the test needs no request log
        pass


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture(scope="module", params=sorted(REPOS))
def site(request, tmp_path_factory: pytest.TempPathFactory):
    """A site served from 127.0.0.1 (the example's statement is a draft); yields its base
    URL and every page."""
    repo = load_repository(REPOS[request.param])
    period = resolve_period(repo, None, written=True)
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(repo, period, out, draft=True)
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_passes_axe_and_reads_on_a_phone(browser, site, width: int) -> None:
    base, pages = site
    failures = []
    for path in pages:
        found, scroll, client, (broken, small) = violations(browser, base + path, width,
                                                            MEASURE)
        if found:
            failures.append(f"{path}: " + json.dumps(found, ensure_ascii=False, indent=1))
        if scroll > client:
            failures.append(f"{path} scrolls sideways at {width} px")
        if broken:
            failures.append(f"{path}: words broken across lines at {width} px: {broken[:8]}")
        if small:
            failures.append(f"{path}: text under 12 px at {width} px: {small[:5]}")
    assert not failures, "\n".join(failures)
