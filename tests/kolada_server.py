"""A small Kolada v3 on 127.0.0.1 for the tests: real HTTP, the documented shapes.

It refuses more than 25 ids in a path segment as Kolada does, pages with
``per_page``/``page`` and ``next_url``, filters ``from_date``, and can be told
to fail a request first (429, 500, or a delay past the client's time-out).

It can also be told to answer as a hostile server would (:class:`Trick`): a huge
body, a gzip bomb, a body sent a byte at a time, a ``next_url`` that points at
itself or pages on forever. What it sends is bounded, and it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_IDS = 25


@dataclass
class Failure:
    prefix: str  # the path it applies to, e.g. "/v3/data/"
    status: int = 0  # 429 or 500; 0 with a delay for a request that takes too long
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Trick:
    """A hostile answer to every request whose path starts with ``prefix``.

    ``huge``: ``size`` bytes of JSON whitespace in a values list, sent as it is;
    ``bomb``: the same, but ``size`` bytes gzipped into about a thousandth;
    ``drip``: a JSON answer sent one byte every ``delay`` seconds;
    ``drip-headers``: ``size`` bytes of one header, one every ``delay`` seconds;
    ``loop``: an answer whose ``next_url`` is its own address;
    ``endless``: pages of ``size`` items, each with a ``next_url`` to one more.
    """

    prefix: str
    kind: str
    size: int = 0
    delay: float = 0.0


MAX_TRICK_BYTES = 2**30  # the most any trick sends


@functools.cache
def bomb(size: int) -> bytes:
    """``{"values": [`` then spaces, ``size`` bytes in all, gzipped a block at a time."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * 2**20
    out = [pack.compress(b'{"values": [')]
    out += [pack.compress(block) for _ in range(size // len(block))]
    return b"".join(out) + pack.compress(b"]}") + pack.flush()


@dataclass
class FakeKolada:
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    ous: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)  # "_changed": YYYY-MM-DD
    page_size: int = 5000
    failures: list[Failure] = field(default_factory=list)
    tricks: list[Trick] = field(default_factory=list)
    raw: tuple[str, str] | None = None  # text replaced in every JSON answer as sent
    log: list[str] = field(default_factory=list)
    base: str = ""

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        parts = path.removeprefix("/v3/").split("/")
        segments = [p.split(",") for p in parts[1:]]
        if any(len(s) > MAX_IDS for s in segments):
            return 400, {"error": "too many ids"}
        head = parts[0]
        if head == "kpi":
            if len(parts) == 1:
                title = query.get("title", "").casefold()
                found = [k for k in self.kpis.values() if title in k["title"].casefold()]
            else:
                found = [self.kpis[i] for i in segments[0] if i in self.kpis]
        elif head in ("municipality", "municipality_groups", "ou"):
            table = {"municipality": self.municipalities, "municipality_groups": self.groups,
                     "ou": self.ous}[head]
            found = [{"id": i, "title": table[i]} for i in segments[0] if i in table]
        elif head in ("data", "oudata") and len(parts) == 5:
            kpis, who = set(segments[1]), set(segments[3])
            key = "ou" if head == "oudata" else "municipality"
            since = query.get("from_date", "")
            found = [{k: v for k, v in item.items() if not k.startswith("_")}
                     for item in self.items
                     if item["kpi"] in kpis and _first(item.get(key)) in who
                     and item.get("_changed", "") >= since]
        else:
            return 404, {"error": "not found"}
        return 200, self.page(path, query, found)

    def page(self, path: str, query: dict[str, str], found: list[Any]) -> dict[str, Any]:
        size = min(int(query.get("per_page", "5000")), self.page_size)
        number = int(query.get("page", "1"))
        chunk = found[(number - 1) * size:number * size]
        more = number * size < len(found)
        rest = "".join(f"&{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
        following = f"{self.base}{path}?page={number + 1}&per_page={size}{rest}" if more else None
        return {"values": chunk, "count": len(chunk), "next_url": following}


def _first(value: Any) -> Any:
    """Who an item is for; a hostile item names it in a list."""
    return value[0] if isinstance(value, list) else value


def serve(fake: FakeKolada) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fake.log.append(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            failure = next((f for f in fake.failures if url.path.startswith(f.prefix)), None)
            if failure is not None:
                fake.failures.remove(failure)
                time.sleep(failure.delay)
                if failure.status:
                    self.reply(failure.status, {"error": "try again"}, failure.headers)
                    return
            trick = next((t for t in fake.tricks if url.path.startswith(t.prefix)), None)
            if trick is not None:
                self.play(trick, url.path, query)
                return
            status, body = fake.answer(url.path, query)
            self.reply(status, body, {})

        def play(self, trick: Trick, path: str, query: dict[str, str]) -> None:
            size = min(trick.size, MAX_TRICK_BYTES)
            body: Any = {"values": [], "count": 0, "next_url": None}
            if trick.kind == "loop":
                body["next_url"] = fake.base + self.path
            elif trick.kind == "endless":
                number = int(query.get("page", "1"))
                body["values"] = [{"kpi": "N00000", "period": number, "values": []}] * size
                body["next_url"] = f"{fake.base}{path}?page={number + 1}"
            try:
                if trick.kind == "huge":
                    self.send_response(200)
                    self.end_headers()  # no length: the body ends when the connection does
                    self.wfile.write(b'{"values": [')
                    for _ in range(size // 2**16):
                        self.wfile.write(b" " * 2**16)
                elif trick.kind == "bomb":
                    packed = bomb(size)
                    self.send_response(200)
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(packed)))
                    self.end_headers()
                    self.wfile.write(packed)
                elif trick.kind == "drip-headers":
                    self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
                    for _ in range(size):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                        time.sleep(trick.delay)
                elif trick.kind == "drip":
                    self.send_response(200)
                    self.end_headers()
                    for byte in json.dumps(body).encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(trick.delay)
                else:
                    self.reply(200, body, {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should

        def reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
            text = json.dumps(body, ensure_ascii=False)
            data = (text.replace(*fake.raw) if fake.raw else text).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a time-out test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
