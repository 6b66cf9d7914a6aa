"""No request hangs or swallows memory: an answer that trickles in fails at the deadline, one that
is too large fails at the cap, both with a sentence the status bar can show (issue 14)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent_desktop.backends.base import MalformedResponse, NetworkError
from agent_desktop.backends.http import HttpClient


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):   # one byte every 50 ms: each read is quick, the whole never ends
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)
        elif self.path == "/big":
            body = b"[" + b"1," * (1024 * 1024) + b"1]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_trickling_answer_fails_at_the_whole_answer_deadline(url) -> None:
    client = HttpClient(url, deadline=1.0)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="longer than 1 s"):
        client.request("GET", "/trickle")
    # it gave up at the deadline (1 s), not after the 50 s the answer would take
    assert time.monotonic() - started < 10


def test_an_answer_larger_than_the_cap_is_refused_unread(url) -> None:
    client = HttpClient(url, max_body=1024 * 1024)
    with pytest.raises(MalformedResponse, match="larger than 1 MB"):
        client.request("GET", "/big")


def test_a_normal_answer_reads_as_before(url) -> None:
    client = HttpClient(url, deadline=1.0, max_body=1024)
    assert client.json(client.request("GET", "/ok")) == {"ok": True}
