"""The plumbing every vendor fake shares: a threaded HTTP server on 127.0.0.1 with routes.

A vendor fake (tests/vendors/<vendor>_fake.py) keeps the vendor's state in memory behind one lock,
answers the endpoints the adapter uses in the shapes the vendor documents, and offers Python
methods for what *someone else* does (a customer writes, a colleague changes a ticket). Prism sits
in front of the Chatwoot and Zendesk fakes and checks both directions against the published
documents, so a fake that drifts from the document fails its tests too.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]          # lower-case names
    body: Any                        # parsed JSON, or None
    raw: bytes = b""
    params: dict[str, str] = field(default_factory=dict)   # from the route's named groups

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None         # bytes sent as they are (a file), instead of `body` as JSON


Handler = Callable[[Request], Answer]


class FakeHttpServer:
    """Routes are (method, regex on the path) → handler. `authorize(request)` returns an Answer to
    refuse with (401, 403…) or None. Every request is recorded in `requests` (method, path)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def authorize(self, request: Request) -> Answer | None:
        return None

    def dispatch(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append((request.method, request.path))
        refusal = self.authorize(request)
        if refusal is not None:
            return refusal
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            allowed = True
            if method == request.method:
                request.params = {k: v for k, v in match.groupdict().items() if v is not None}
                with self.lock:
                    return handler(request)
        return Answer(405 if allowed else 404, {"error": "not found"})

    # -- serving -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeHttpServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two sends: with Nagle on, the client's delayed ACK holds
            # every keep-alive answer back ~40 ms.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:   # the client went away mid-body (a cancelled upload): no request
                    self.close_connection = True
                    return
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                                  {k.lower(): v for k, v in self.headers.items()}, body, raw)
                try:
                    answer = fake.dispatch(request)
                except Exception as exc:   # a fake's bug shows as a 500 the test sees, not a hang
                    answer = Answer(500, {"error": f"fake failed: {type(exc).__name__}: {exc}"})
                if answer.raw is not None:
                    payload = answer.raw
                else:
                    payload = b"" if answer.body is None else json.dumps(answer.body, ensure_ascii=False).encode()
                self.send_response(answer.status)
                if answer.body is not None and answer.raw is None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="vendor-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Splitter:
    """One address in front of Prism and a fake: what Prism cannot check (`bypass(method, path,
    content_type)`:
    paths outside the vendor's document, bodies it does not describe) goes straight to the fake,
    the rest through Prism. `check(method, path, status, payload)` returns violations of a bypassed
    answer (checked against the document's schema instead), collected in `violations`."""

    def __init__(self, prism_url: str, fake_url: str, bypass: Callable[[str, str, str], bool],
                 check: Callable[[str, str, int, bytes], list[str]] | None = None, port: int = 0) -> None:
        self.routes = {"prism": prism_url, "fake": fake_url}
        self.bypass, self.check = bypass, check
        self.port = port
        self.violations: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Splitter:
        splitter = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                bypassed = splitter.bypass(self.command, self.path, self.headers.get("Content-Type") or "")
                target = splitter.routes["fake" if bypassed else "prism"]
                host, port = target.rsplit("/", 1)[-1].split(":")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if length and (body is None or len(body) < length):   # the client went away mid-body
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream = http.client.HTTPConnection(host, int(port), timeout=120)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                if bypassed and splitter.check is not None:
                    splitter.violations.extend(splitter.check(self.command, self.path, answer.status, payload))
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="vendor-split", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
