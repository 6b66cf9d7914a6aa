"""Secrets: a canary password and the live bearer tokens never reach disk; TLS is always verified;
plain http only to loopback; plaintext keyrings refused unless the user opts in."""

from __future__ import annotations

import http.server
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import keyring
import keyring.backend
import pytest

from agent_desktop.backends.base import NetworkError
from agent_desktop.backends.http import HttpClient, check_url
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.server import auth
from agent_desktop.services import credentials
from tests.faults.proxy import FaultProxy
from tests.helpers import RunningServer

ROOT = Path(__file__).resolve().parents[2]
CANARY = "canary-Pw-7f3a9c1e-不要泄露"


def _files(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file():
            yield path


def test_no_secret_reaches_the_cache_wal_logs_settings_or_temp_files(tmp_path):
    (tmp_path / "server").mkdir()
    server = RunningServer(tmp_path / "server" / "server.sqlite3")
    try:
        token = server.token()  # agent1's id, then a canary password for agent1
        agent_id = server.feed(token)
        agent_id = next(rid for (entity, rid), data in agent_id.items()
                        if entity == "agent" and data.get("username") == "agent1")
        with server.server.app.state.db.transaction() as conn:
            auth.set_password(conn, agent_id, CANARY)
        client_root = tmp_path / "client"
        dirs = {name: client_root / name for name in ("home", "data", "config", "cache", "tmp")}
        for folder in dirs.values():
            folder.mkdir(parents=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "AGENT_DESKTOP_HOME": str(dirs["data"]), "AGENT_DESKTOP_PASSWORD": CANARY,
               "HOME": str(dirs["home"]), "XDG_CONFIG_HOME": str(dirs["config"]),
               "XDG_CACHE_HOME": str(dirs["cache"]), "TMPDIR": str(dirs["tmp"]),
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        with FaultProxy(server.url) as proxy:
            run = subprocess.run([sys.executable, "main.py", "--server", proxy.url, "--user", "agent1", "--lang", "en",
                                  "--screenshot", str(dirs["tmp"] / "shot.png")],
                                 cwd=ROOT, env=env, capture_output=True, timeout=120)
            # A second life killed mid-sync: the WAL and temp files stay on disk for the scan.
            app = subprocess.Popen([sys.executable, "main.py", "--server", proxy.url, "--user", "agent1", "--lang", "en"],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not list(dirs["data"].rglob("*-wal")):
                    time.sleep(0.05)
                time.sleep(1.0)
            finally:
                app.send_signal(signal.SIGKILL)
                app.wait()
            tokens = set(proxy.bearer_tokens)
        assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
        assert list(dirs["data"].rglob("*-wal")), "no WAL to scan"
        assert tokens, "the app never used a token: the scan would prove nothing"
        files = list(_files(client_root))
        names = {p.name for p in files}
        assert any(n.endswith((".sqlite3", ".db")) for n in names) and any(n.endswith(".log") for n in names), names
        needles = [CANARY.encode(), CANARY.encode("utf-16-le")] + [t.encode() for t in tokens]
        hits = [str(p) for p in files for needle in needles if needle in p.read_bytes()]
        assert hits == []
        stdout = run.stdout + run.stderr
        assert not any(needle in stdout for needle in needles)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_self_signed_server_is_refused_with_a_clear_error(self_signed):
    backend = ReferenceBackend(self_signed)
    with pytest.raises(NetworkError, match="certificate could not be verified"):
        backend.sign_in("agent1", CANARY)


def test_certificate_checks_cannot_be_switched_off():
    with pytest.raises(ValueError, match="cannot be turned off"):
        HttpClient("https://helpdesk.example.com", verify=False)


@pytest.mark.parametrize("url", ["http://helpdesk.example.com", "http://10.0.0.5:8000", "http://127.0.0.1.evil.example",
                                 "http://localhost.evil.example", "ftp://127.0.0.1", "file:///etc/passwd",
                                 "https://user:pw@helpdesk.example.com", "javascript:alert(1)"])
def test_plain_http_is_refused_except_to_loopback(url):
    with pytest.raises(ValueError):
        check_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.5.6.7", "http://localhost:1", "http://[::1]:80",
                                 "https://helpdesk.example.com"])
def test_loopback_http_and_any_https_are_allowed(url):
    assert check_url(url) == url


class PlaintextKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.saved.get((service, username))

    def set_password(self, service, username, password):
        self.saved[(service, username)] = password

    def delete_password(self, service, username):
        self.saved.pop((service, username), None)


def test_a_plaintext_keyring_is_refused_unless_the_user_opts_in(monkeypatch):
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING", raising=False)
    with pytest.raises(credentials.CredentialsUnavailable, match="unencrypted"):
        credentials.set_password("https://h.example", "agent1", CANARY)
    assert backend.saved == {}
    assert credentials.get_password("https://h.example", "agent1") is None
    monkeypatch.setenv("AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING", "1")
    credentials.set_password("https://h.example", "agent1", CANARY)
    assert credentials.get_password("https://h.example", "agent1") == CANARY
