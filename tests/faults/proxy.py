"""A fault-injecting HTTP proxy on 127.0.0.1 (toxiproxy-like tools are not installable here).

Every request gets a fault chosen by a `chooser(method, path) -> fault name`. The faults are the
ways a real network and a real server fail a desktop client:

- ``reset``      the connection is reset before the request reaches the server
- ``drop``       the server committed, then the connection is reset instead of answering
- ``truncate``   the server committed, the answer is cut off half way
- ``delay``      the server committed, the answer comes after the client gave up waiting
- ``twice``      the request reaches the server twice (a retrying middlebox); the first answer is sent
- ``500`` / ``503`` / ``429``  an error with a ``Retry-After`` in one of many forms (seconds,
  HTTP-date, absurd, negative, garbage), nothing forwarded
- ``410``        the server expired the sync cursor (not part of the random mix: tests ask for it)
- ``captive``    a Wi-Fi captive portal: ``200 OK`` with an HTML login page, nothing forwarded
- ``ok``         forwarded untouched

`rewrite(path, body) -> body` lets a test replace what the server answered (hostile payloads).
Counts per fault are kept in `stats` for the figures.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FORWARDED_FAULTS = ("drop", "truncate", "delay", "twice")
LOCAL_FAULTS = ("reset", "500", "503", "429", "captive")
ALL_FAULTS = FORWARDED_FAULTS + LOCAL_FAULTS

CAPTIVE_PAGE = (b"<!doctype html><html><head><title>Hotel Wi-Fi</title></head><body>"
                b"<h1>Welcome! Please sign in to use the Internet</h1>"
                b"<form action='/login'><input name='room'><button>Connect</button></form></body></html>")


def retry_after_forms(rng: random.Random) -> str:
    """One of the Retry-After values servers really send, sane and absurd."""
    soon = datetime.now(UTC) + timedelta(seconds=rng.randint(1, 3))
    return rng.choice([
        "0", "1", "2", "120", "99999999999", "-5", "1e400", "nan", "soon", "",
        format_datetime(soon, usegmt=True),
        "Fri, 31 Dec 9999 23:59:59 GMT",   # absurdly far: clamped
        "Thu, 01 Jan 1970 00:00:00 GMT",   # in the past: retry now
    ])


def random_chooser(rate: float, seed: int, faults: tuple[str, ...] = ALL_FAULTS) -> Callable[[str, str], str]:
    """Inject a fault into `rate` of the requests, evenly over `faults`; deterministic from `seed`."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def choose(_method: str, _path: str) -> str:
        with lock:
            return rng.choice(faults) if rng.random() < rate else "ok"

    return choose


class FaultProxy:
    def __init__(self, upstream: str, chooser: Callable[[str, str], str] | None = None, *,
                 delay: float = 2.0, seed: int = 0,
                 rewrite: Callable[[str, bytes], bytes] | None = None) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.chooser = chooser or (lambda _m, _p: "ok")
        self.delay = delay
        self.rewrite = rewrite
        self.rng = random.Random(seed)
        self.stats: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.bearer_tokens: set[str] = set()   # secrets seen on the wire, for the canary scan
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any  # noqa: N815 - http.server API

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def requests(self) -> int:
        return sum(self.stats.values())

    @property
    def faults(self) -> int:
        return self.requests - self.stats["ok"]

    # -- one request ------------------------------------------------------------------------------
    def _count(self, fault: str, path: str) -> None:
        with self._lock:
            self.stats[fault] += 1
            self.paths[path.split("?")[0]] += 1

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("connection", "host")}
            conn.request(handler.command, handler.path, body=body or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding")]
            if self.rewrite is not None:
                data = self.rewrite(handler.path, data)
            return response.status, kept, data
        finally:
            conn.close()

    @staticmethod
    def _reset(handler: BaseHTTPRequestHandler) -> None:
        """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
        except OSError:
            pass
        handler.close_connection = True

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], data: bytes,
              *, cut: int | None = None) -> None:
        try:
            handler.send_response(status)
            for key, value in headers:
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(data if cut is None else data[:cut])
            handler.wfile.flush()
        except OSError:
            pass  # the client already gave up (the 'delay' fault)
        handler.close_connection = True

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        authorization = handler.headers.get("Authorization")
        if authorization:
            with self._lock:
                self.bearer_tokens.add(authorization.removeprefix("Bearer ").strip())
        fault = self.chooser(handler.command, handler.path)
        self._count(fault, handler.path)
        if fault == "reset":
            self._reset(handler)
            return
        if fault in ("500", "503", "429"):
            with self._lock:
                retry_after = retry_after_forms(self.rng)
            error = json.dumps({"error": {"code": "injected", "message": f"injected {fault}"}}).encode()
            self._send(handler, int(fault), [("Content-Type", "application/json"), ("Retry-After", retry_after)],
                       error)
            return
        if fault == "410":  # the server forgot our cursor (compacted history): resync from scratch
            error = json.dumps({"error": {"code": "cursor_expired", "message": "resync from scratch"}}).encode()
            self._send(handler, 410, [("Content-Type", "application/json")], error)
            return
        if fault == "captive":
            self._send(handler, 200, [("Content-Type", "text/html; charset=utf-8")], CAPTIVE_PAGE)
            return
        try:
            status, headers, data = self._forward(handler, body)
            if fault == "twice":
                self._forward(handler, body)  # the server sees it again; the client gets the first answer
        except OSError:
            self._reset(handler)
            return
        if fault == "drop":
            self._reset(handler)
        elif fault == "truncate":
            self._send(handler, status, headers, data, cut=len(data) // 2)
        elif fault == "delay":
            time.sleep(self.delay)
            self._send(handler, status, headers, data)
        else:
            self._send(handler, status, headers, data)
