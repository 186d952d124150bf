"""A small Kolada v3 on 127.0.0.1 for the tests: real HTTP, the documented shapes.

It refuses more than 25 ids in a path segment as Kolada does, pages with
``per_page``/``page`` and ``next_url``, filters ``from_date``, and can be told
to fail a request first (429, 500, or a delay past the client's time-out).
"""

from __future__ import annotations

import json
import threading
import time
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
class FakeKolada:
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    ous: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)  # "_changed": YYYY-MM-DD
    page_size: int = 5000
    failures: list[Failure] = field(default_factory=list)
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
                     if item["kpi"] in kpis and item.get(key) in who
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
            status, body = fake.answer(url.path, query)
            self.reply(status, body, {})

        def reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
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
