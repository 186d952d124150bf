"""A polite client for Kolada's v3 API: the only module that imports httpx.

At most five requests a second, a time-out on every request, 429 and 5xx
retried with back-off (``Retry-After`` honoured), paging through ``next_url``
(followed only on the configured host), and at most 25 ids in a path segment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from malpl.kolada.ids import KoladaId
from malpl.model import KOLADA_URL
from malpl.repository import MalplError

ENV_URL = "MALPL_KOLADA_URL"
MAX_IDS = 25  # Kolada refuses more ids in one path segment
PER_PAGE = 5000
MAX_PAGES = 10_000  # a server that pages forever is a bug, not data
MAX_RETRY_AFTER = 60.0


class KoladaError(MalplError):
    """Kolada could not be reached or did not answer as documented."""


def base_url(configured: str | None) -> str:
    """The API's base: MALPL_KOLADA_URL, else ``kolada.url`` in malpl.yaml, else the public API."""
    return (os.environ.get(ENV_URL) or configured or KOLADA_URL).rstrip("/")


def chunks(ids: Sequence[KoladaId], size: int = MAX_IDS) -> list[str]:
    """Comma-joined path segments of at most ``size`` ids each."""
    checked = [KoladaId(i) for i in ids]  # a path segment holds checked ids only
    return [",".join(checked[i:i + size]) for i in range(0, len(checked), size)]


class Client:
    def __init__(self, base: str, *, timeout: float = 30.0, per_second: float = 5.0,
                 retries: int = 4, backoff: float = 1.0,
                 on_request: Callable[[], None] | None = None) -> None:
        self.base = base.rstrip("/")
        self.origin = urlsplit(self.base)[:2]
        self.interval = 1.0 / per_second
        self.retries = retries
        self.backoff = backoff
        self.on_request = on_request
        self._last = 0.0
        self.http = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                                 headers={"User-Agent": "malpl (goals-as-code)",
                                          "Accept": "application/json"})

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    # --- requests ------------------------------------------------------------------------
    def _wait_turn(self) -> None:
        pause = self._last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()

    def _get(self, url: str, params: dict[str, str] | None) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            self._wait_turn()
            if self.on_request:
                self.on_request()
            last = attempt == self.retries
            try:
                response = self.http.get(url, params=params)
            except httpx.TimeoutException as err:
                if last:
                    raise KoladaError(f"Kolada did not answer in time ({self.base})",
                                      "try again later; Kolada may be busy") from err
                time.sleep(self.backoff * 2 ** attempt)
                continue
            except httpx.HTTPError as err:
                raise KoladaError(f"cannot reach Kolada at {self.base}: {_reason(err)}",
                                  "check the network connection, or the address in kolada.url "
                                  "in malpl.yaml or MALPL_KOLADA_URL") from err
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise KoladaError(f"Kolada answered {response.status_code} "
                                      f"{response.reason_phrase} {attempt + 1} times ({url})",
                                      "try again later")
                wait = _retry_after(response)
                time.sleep(self.backoff * 2 ** attempt if wait is None else wait)
                continue
            if response.status_code != 200:
                raise KoladaError(f"Kolada answered {response.status_code} "
                                  f"{response.reason_phrase} for {url}",
                                  "check the ids in the goal files with 'malpl check'")
            try:
                body = response.json()
            except ValueError as err:
                raise KoladaError(f"Kolada's answer is not JSON ({url})",
                                  "check kolada.url in malpl.yaml") from err
            if not isinstance(body, dict) or not isinstance(body.get("values"), list):
                raise KoladaError(f"Kolada's answer has no list of values ({url})",
                                  "check that kolada.url points at the v3 API")
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def _follow(self, next_url: object) -> str:
        """A next page on the configured host only: an answer never sends us elsewhere."""
        if not isinstance(next_url, str) or urlsplit(next_url)[:2] != self.origin:
            raise KoladaError(f"Kolada's next page is on another host: {next_url!r}",
                              "check that kolada.url points at the v3 API")
        return next_url

    def pages(self, path: str, params: dict[str, str] | None = None
              ) -> Iterator[dict[str, Any]]:
        """Every item of every page (``count`` is a page's count, not the total)."""
        url: str | None = f"{self.base}/{path}"
        query: dict[str, str] | None = {"per_page": str(PER_PAGE), **(params or {})}
        for _ in range(MAX_PAGES):
            assert url is not None
            body = self._get(url, query)
            yield from (item for item in body["values"] if isinstance(item, dict))
            following = body.get("next_url")
            if not following:
                return
            url, query = self._follow(following), None  # next_url carries the query
        raise KoladaError(f"Kolada kept paging past {MAX_PAGES} pages ({path})",
                          "narrow the request, or report this")

    # --- the API -------------------------------------------------------------------------
    def kpis(self, ids: Sequence[KoladaId]) -> list[dict[str, Any]]:
        return [item for segment in chunks(ids) for item in self.pages(f"kpi/{segment}")]

    def search(self, title: str) -> list[dict[str, Any]]:
        return list(self.pages("kpi", {"title": title}))

    def entities(self, kind: str, ids: Sequence[KoladaId]) -> list[dict[str, Any]]:
        """``municipality``, ``municipality_groups`` or ``ou`` metadata for these ids."""
        return [item for segment in chunks(ids) for item in self.pages(f"{kind}/{segment}")]

    def data(self, kpis: Sequence[KoladaId], entities: Sequence[KoladaId], *, ou: bool = False,
             since: str | None = None) -> Iterator[dict[str, Any]]:
        """Data items for every KPI and entity, all years; with ``since`` only what changed."""
        kind, prefix = ("ou", "oudata") if ou else ("municipality", "data")
        params = {"from_date": since} if since else None
        for kpi_segment in chunks(kpis):
            for entity_segment in chunks(entities):
                yield from self.pages(f"{prefix}/kpi/{kpi_segment}/{kind}/{entity_segment}",
                                      params)


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return "connection refused" if "refused" in text.lower() else text


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("Retry-After", ""))))
    except ValueError:
        return None
