"""Test connection against real servers on 127.0.0.1: each failure gets its own verdict."""

from __future__ import annotations

import http.server
import logging
import socket
import threading

import pytest

from agent_desktop.services.connection_check import VerdictCode, check_connection
from tests.faults.test_secrets import self_signed  # noqa: F401 - the self-signed TLS server fixture

WRONG = "wrong-Pw-0c5e"


class _Html(http.server.BaseHTTPRequestHandler):
    """Any address of a web site: a page, not an API."""

    def _page(self) -> None:
        body = b"<html><body>Welcome to our site</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page  # noqa: N815 - http.server's names

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def html_site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_right_password_is_ok_and_names_the_agent(server):
    verdict = check_connection("reference", server.url, "agent1", "demo")
    assert verdict.code == VerdictCode.OK and verdict.ok
    assert verdict.agent_name and verdict.agent_name != "agent1"     # the agent's display name


def test_a_wrong_password_is_bad_credentials_and_the_secret_is_nowhere(server, caplog):
    caplog.set_level(logging.DEBUG)
    verdict = check_connection("reference", server.url, "agent1", WRONG)
    assert verdict.code == VerdictCode.BAD_CREDENTIALS
    assert WRONG not in repr(verdict) and WRONG not in caplog.text


def test_nothing_listening_is_a_bad_address():
    assert check_connection("reference", f"http://127.0.0.1:{_closed_port()}", "agent1", "x").code \
        == VerdictCode.BAD_ADDRESS


def test_a_web_page_instead_of_the_api_is_unsupported(html_site):
    verdict = check_connection("reference", html_site, "agent1", "x")
    assert verdict.code == VerdictCode.UNSUPPORTED, verdict


def test_plain_http_to_another_machine_is_refused_without_a_network_call(monkeypatch):
    import requests

    def no_network(*_args, **_kwargs):
        raise AssertionError("no request may be made")

    monkeypatch.setattr(requests.Session, "request", no_network)
    verdict = check_connection("reference", "http://192.0.2.10:8080", "agent1", "x")
    assert verdict.code == VerdictCode.BAD_ADDRESS and "https" in verdict.detail


def test_a_self_signed_certificate_is_a_tls_verdict(self_signed):  # noqa: F811 - the fixture
    assert check_connection("reference", self_signed, "agent1", "x").code == VerdictCode.TLS


def test_an_unknown_kind_is_other():
    assert check_connection("nope", "https://x.example", "agent1", "x").code == VerdictCode.OTHER
