"""The website in a real headless Chromium over a real HTTP server on 127.0.0.1: axe-core
finds no violation (best practice included) on the start page, a body page and a goal page
at 1280 and 320 px, and no page scrolls sideways."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from malpl.repository import load_repository
from malpl.site import write_site
from malpl.site.build import body_path, goal_path
from malpl.views import current, resolve_period
from tests.axe_browser import launch, needs_chromium, violations

KOMMUN = Path(__file__).resolve().parent / "fixtures" / "kommun"

pytestmark = needs_chromium


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # the test needs no request log
        pass


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The fixture municipality's site served from 127.0.0.1; yields its base URL and the
    pages to check."""
    repo = load_repository(KOMMUN)
    period = resolve_period(repo, None, written=True)
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(repo, period, out)
    goal = max(current(repo.config, repo.goals, period), key=lambda g: (len(g.measures), len(g.targets)))
    pages = ["index.html", body_path(period, goal.body_key), goal_path(period, goal.id)]
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
def test_site_pages_pass_axe_core_without_sideways_scroll(browser, site, width: int) -> None:
    base, pages = site
    for path in pages:
        found, scroll, client = violations(browser, base + path, width)
        assert found == [], f"{path}: " + json.dumps(found, ensure_ascii=False, indent=1)
        assert scroll <= client, f"{path} scrolls sideways at {width} px"
