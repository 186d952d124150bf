"""A polite, bounded client for Kolada's v3 API: the only module that imports httpx.

At most five requests a second, 429 and 5xx retried with back-off (``Retry-After``
honoured), paging through ``next_url`` (followed only on the configured host), and at
most 25 ids in a path segment.

``kolada.url`` is committed in malpl.yaml, so a pull request can point CI at any
server: every answer is hostile until it is parsed. Its bytes are counted as they are
decoded (gzip is inflated here, a bounded step at a time), per answer and per pull;
paging stops when a next page repeats or there are more pages than the ids and years
asked for can fill; and one deadline covers the whole pull, another each request, slow
bodies and waits for a retry included.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from malpl.i18n import N_, _, language, ngettext
from malpl.kolada.ids import KoladaId
from malpl.model import KOLADA_URL
from malpl.repository import MalplError
from malpl.swedish import number

if TYPE_CHECKING:
    from malpl.model import KoladaSettings

ENV_URL = "MALPL_KOLADA_URL"
MAX_IDS = 25  # Kolada refuses more ids in one path segment
PER_PAGE = 5000  # the most Kolada gives
MAX_ANSWER_BYTES = 16 * 2**20  # a full page of 5 000 items is about 1.5 MB
MAX_PULL_BYTES = 64 * 2**20  # some 250 000 items, beyond any municipality's measures
MAX_SEARCH_ITEMS = 20_000  # Kolada has some 6 000 KPIs
FIRST_YEAR = 1950  # no Kolada series starts earlier
STEP = 2**16  # bytes inflated at a time
URL_HINT = N_("check kolada.url in malpl.yaml")
V3_HINT = N_("check that kolada.url points at the v3 API")
REPORT_IT = N_("try again later, or report it")
NOTHING_WRITTEN = N_("check kolada.url in malpl.yaml; nothing was written")


class KoladaError(MalplError):
    """Kolada could not be reached or did not answer as documented."""


class _Late(Exception):
    """A request ran past its deadline while its body was arriving."""


def base_url(configured: str | None) -> str:
    """The API's base: MALPL_KOLADA_URL, else ``kolada.url`` in malpl.yaml, else the public
    API; an address that is not http(s) with a host is the user's error, said as such."""
    from_env = os.environ.get(ENV_URL)
    url = (from_env or configured or KOLADA_URL).rstrip("/")
    where = ENV_URL if from_env else _("kolada.url in malpl.yaml")
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError):
        parsed, port = None, None
    if (parsed is None or parsed.scheme not in ("http", "https") or not parsed.host
            or not 0 < (port or 80) < 65536 or any(c.isspace() for c in url)):
        raise KoladaError(_("{where} is not a web address: {url}").format(where=where,
                                                                         url=repr(url)),
                          _("set {where} to Kolada's API, such as {url}").format(
                              where=where, url=KOLADA_URL))
    return url


def chunks(ids: Sequence[KoladaId], size: int = MAX_IDS) -> list[list[KoladaId]]:
    """The ids in groups of at most ``size``, one path segment each."""
    checked = [KoladaId(i) for i in ids]  # a path segment holds checked ids only
    return [checked[i:i + size] for i in range(0, len(checked), size)]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


class Client:
    """``timeout`` bounds each request, ``deadline`` everything from the first request on
    (both in seconds)."""

    def __init__(self, base: str, *, timeout: float = 60.0, deadline: float = 600.0,
                 per_second: float = 5.0, retries: int = 4, backoff: float = 1.0,
                 per_page: int = PER_PAGE, on_request: Callable[[], None] | None = None
                 ) -> None:
        self.base = base.rstrip("/")
        self.per_page = per_page
        self.origin = _origin(httpx.URL(self.base))
        self.interval = 1.0 / per_second
        self.timeout = timeout
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.on_request = on_request
        self.received = 0  # decoded bytes of every answer so far
        self._last = 0.0
        self._ends: float | None = None  # set at the first request
        self.http = httpx.Client(follow_redirects=False,  # a connection per request: see _fetch
                                 limits=httpx.Limits(max_keepalive_connections=0),
                                 headers={"User-Agent": "malpl (goals-as-code)",
                                          "Accept": "application/json",
                                          "Accept-Encoding": "gzip"})

    @classmethod
    def configured(cls, settings: KoladaSettings,
                   on_request: Callable[[], None] | None = None) -> Client:
        return cls(base_url(settings.url), timeout=settings.request_timeout,
                   deadline=settings.deadline, on_request=on_request)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    # --- time ----------------------------------------------------------------------------
    def _remaining(self) -> float:
        if self._ends is None:
            self._ends = time.monotonic() + self.deadline
        left = self._ends - time.monotonic()
        if left <= 0:
            raise self._overdue()
        return left

    def _overdue(self) -> KoladaError:
        return KoladaError(_("Kolada's answers took longer than {time}, the limit for a "
                             "whole pull ({url})").format(time=_seconds(self.deadline),
                                                         url=self.base),
                           _("try again later, or raise kolada.deadline in malpl.yaml"))

    def _sleep(self, seconds: float) -> None:
        """A pause before a retry, which must end before the pull's deadline."""
        if seconds >= self._remaining():
            raise KoladaError(_("the next try would wait {wait} for Kolada, past the limit "
                                "of {time} for a whole pull ({url})").format(
                                    wait=_seconds(seconds), time=_seconds(self.deadline),
                                    url=self.base),
                              _("try again later, or raise kolada.deadline in malpl.yaml"))
        time.sleep(seconds)

    def _wait_turn(self) -> None:
        pause = self._last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()

    # --- requests ------------------------------------------------------------------------
    def _get(self, url: str, params: dict[str, str] | None) -> tuple[httpx.URL, dict[str, Any]]:
        """The JSON object of one page, and the address it came from."""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            if self.on_request:
                self.on_request()
            last = attempt == self.retries
            try:
                response, body = self._fetch(url, params)
            except (httpx.TimeoutException, _Late) as err:
                self._remaining()  # the pull's deadline passed: say that, not a retry
                if last:
                    raise KoladaError(_("Kolada did not answer within {time} ({url})").format(
                                          time=_seconds(self.timeout), url=self.base),
                                      _("try again later; Kolada may be busy, or raise "
                                        "kolada.request_timeout in malpl.yaml")) from err
                self._sleep(self.backoff * 2 ** attempt)
                continue
            except httpx.HTTPError as err:
                raise KoladaError(_("cannot reach Kolada at {url}: {reason}").format(
                                      url=self.base, reason=_reason(err)),
                                  _("check the network connection, or the address in "
                                    "kolada.url in malpl.yaml or MALPL_KOLADA_URL")) from err
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise KoladaError(ngettext(
                        "Kolada answered {status} {reason} {n} time ({url})",
                        "Kolada answered {status} {reason} {n} times ({url})",
                        attempt + 1).format(status=response.status_code,
                                            reason=response.reason_phrase, n=attempt + 1,
                                            url=url), _("try again later"))
                wait = _retry_after(response)
                self._sleep(self.backoff * 2 ** attempt if wait is None else wait)
                continue
            if response.status_code != 200:
                raise KoladaError(_("Kolada answered {status} {reason} for {url}").format(
                                      status=response.status_code,
                                      reason=response.reason_phrase, url=url),
                                  _("check the ids in the goal files with 'malpl check'"))
            return response.url, _page(body, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch(self, url: str, params: dict[str, str] | None) -> tuple[httpx.Response, bytes]:
        """One request and its decoded body (only of a 200), bounded in bytes and time.

        A time-out bounds each read, not the request: a server that sends its headers or
        body a byte at a time would keep it alive. So at the request's deadline a timer
        shuts its connection (one per request), which ends any read at once."""
        limit = min(self.timeout, self._remaining())
        ends = time.monotonic() + limit
        streams: list[Any] = []
        watchdog = threading.Timer(limit, _shut, (streams,))
        watchdog.start()
        try:
            with self.http.stream("GET", url, params=params, timeout=httpx.Timeout(limit),
                                  extensions={"trace": _connections(streams)}) as response:
                if response.status_code != 200:
                    return response, b""
                body = bytearray()
                for piece in _decoded(response.iter_raw(), response.headers, url):
                    body += piece
                    self.received += len(piece)
                    if len(body) > MAX_ANSWER_BYTES or self.received > MAX_PULL_BYTES:
                        raise _too_large(len(body) > MAX_ANSWER_BYTES, url)
                    if time.monotonic() > ends:
                        raise _Late(url)
            if time.monotonic() >= ends:  # shut by the watchdog: cut short, not the end
                raise _Late(url)
        except httpx.HTTPError as err:
            if time.monotonic() >= ends:  # the watchdog shut it
                raise _Late(url) from err
            raise
        finally:
            watchdog.cancel()
        return response, bytes(body)

    def _follow(self, next_url: object, seen: set[httpx.URL]) -> httpx.URL:
        """A next page on the configured host only, and never one already read: an answer
        never sends us elsewhere, nor round in a circle."""
        try:
            following = httpx.URL(next_url) if isinstance(next_url, str) else None
        except httpx.InvalidURL:
            following = None
        if following is None or _origin(following) != self.origin:
            raise KoladaError(_("Kolada's next page is on another host: {url}").format(
                                  url=_short(next_url)), _(V3_HINT))
        if following in seen:
            raise KoladaError(_("Kolada's next page is one already read: {url}").format(
                                  url=_short(next_url)),
                              _("Kolada is paging in a circle; try again later, or report it"))
        return following

    def pages(self, path: str, params: dict[str, str] | None = None, *,
              capacity: int) -> Iterator[dict[str, Any]]:
        """Every item of every page (``count`` is a page's count, not the total).

        ``capacity``, the most items the request can have, bounds the items and the
        pages: as many as it takes to hold them, and two more."""
        most, items = math.ceil(capacity / self.per_page) + 2, 0
        url: str | httpx.URL = f"{self.base}/{path}"
        query: dict[str, str] | None = {"per_page": str(self.per_page), **(params or {})}
        seen: set[httpx.URL] = set()
        while len(seen) < most:
            address, body = self._get(str(url), query)
            seen.add(address)
            items += len(body["values"])
            if items > capacity:
                raise KoladaError(_("Kolada sent more than the {n} items asked for "
                                    "({path})").format(n=capacity, path=path), _(REPORT_IT))
            yield from (item for item in body["values"] if isinstance(item, dict))
            following = body.get("next_url")
            if not following:
                return
            url, query = self._follow(following, seen), None  # next_url carries the query
        raise KoladaError(_("Kolada kept paging past {pages} pages, more than the {n} items "
                            "asked for can fill ({path})").format(pages=most, n=capacity,
                                                                  path=path), _(REPORT_IT))

    # --- the API -------------------------------------------------------------------------
    def kpis(self, ids: Sequence[KoladaId]) -> list[dict[str, Any]]:
        return [item for segment in chunks(ids)
                for item in self.pages(f"kpi/{','.join(segment)}", capacity=len(segment))]

    def search(self, title: str) -> list[dict[str, Any]]:
        return list(self.pages("kpi", {"title": title}, capacity=MAX_SEARCH_ITEMS))

    def entities(self, kind: str, ids: Sequence[KoladaId]) -> list[dict[str, Any]]:
        """``municipality``, ``municipality_groups`` or ``ou`` metadata for these ids."""
        return [item for segment in chunks(ids)
                for item in self.pages(f"{kind}/{','.join(segment)}", capacity=len(segment))]

    def data(self, kpis: Sequence[KoladaId], entities: Sequence[KoladaId], *, ou: bool = False,
             since: str | None = None) -> Iterator[dict[str, Any]]:
        """Data items for every KPI and entity, all years; with ``since`` only what changed."""
        kind, prefix = ("ou", "oudata") if ou else ("municipality", "data")
        params = {"from_date": since} if since else None
        years = dt.date.today().year + 2 - FIRST_YEAR
        for kpi_segment in chunks(kpis):
            for entity_segment in chunks(entities):
                # An item per KPI, entity and year, and perhaps a deleted one beside it.
                cells = 2 * len(kpi_segment) * len(entity_segment) * years
                yield from self.pages(f"{prefix}/kpi/{','.join(kpi_segment)}/{kind}/"
                                      f"{','.join(entity_segment)}", params, capacity=cells)


def _connections(streams: list[Any]) -> Callable[[str, dict[str, Any]], None]:
    """An httpx trace hook that keeps each connection the request opens."""
    def trace(event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            streams.append(info.get("return_value"))
    return trace


def _shut(streams: list[Any]) -> None:
    """Shut the request's connections: a read blocked on them returns at once."""
    for stream in streams:
        sock = stream.get_extra_info("socket") if stream is not None else None
        with contextlib.suppress(AttributeError, OSError):  # closed already, or no socket
            sock.shutdown(socket.SHUT_RDWR)


def _decoded(raw: Iterable[bytes], headers: httpx.Headers, url: str) -> Iterator[bytes]:
    """The body as sent, or inflated from gzip a bounded step at a time: a small bomb never
    becomes one big piece. Other encodings were not asked for and are refused."""
    encoding = headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from raw
        return
    if encoding not in ("gzip", "x-gzip"):
        raise KoladaError(_("Kolada's answer is encoded as {encoding}, which malpl did not "
                            "ask for ({url})").format(encoding=_short(encoding), url=url),
                          _(URL_HINT))
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for chunk in raw:
            data = chunk
            while not inflate.eof:
                piece = inflate.decompress(data, STEP)
                if piece:
                    yield piece
                data = inflate.unconsumed_tail
                if not data and len(piece) < STEP:
                    break
        yield inflate.flush()
    except zlib.error as err:
        raise KoladaError(_("Kolada's answer is not valid gzip ({url})").format(url=url),
                          _(URL_HINT)) from err


def _page(body: bytes, url: str) -> dict[str, Any]:
    try:  # strict JSON: NaN and Infinity are not numbers in JSON
        page = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        raise KoladaError(_("Kolada's answer is not JSON ({url})").format(url=url),
                          _(URL_HINT)) from err
    if not isinstance(page, dict) or not isinstance(page.get("values"), list):
        raise KoladaError(_("Kolada's answer has no list of values ({url})").format(url=url),
                          _(V3_HINT))
    return page


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _too_large(answer: bool, url: str) -> KoladaError:
    if answer:
        return KoladaError(_("Kolada's answer is larger than {mb} MB ({url})").format(
                               mb=MAX_ANSWER_BYTES // 2**20, url=url), _(NOTHING_WRITTEN))
    return KoladaError(_("Kolada's answers are larger than {mb} MB in all ({url})").format(
                           mb=MAX_PULL_BYTES // 2**20, url=url),
                       _("pull fewer measures at a time with --measure or --body; nothing "
                         "was written"))


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _seconds(value: float) -> str:
    shown = number(value) if language() == "sv" else f"{value:g}"
    return ngettext("{time} second", "{time} seconds", 1 if value == 1 else 2).format(time=shown)


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return _("connection refused") if "refused" in text.lower() else text


def _retry_after(response: httpx.Response) -> float | None:
    try:
        wait = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return max(0.0, wait) if math.isfinite(wait) else None
