"""Prism (Stoplight's OpenAPI mock and validating proxy, from the npm registry), started by tests on
127.0.0.1 in front of a vendor's fake: every request an adapter makes and every answer the fake
gives is checked against the vendor's published document (`tests/vendors/contracts/`).

`--errors` makes a violation fail loudly: a request that breaks the document gets Prism's 422, an
answer that breaks it Prism's 500 with the violations in `sl-violations`, so an adapter test fails
at the request that went wrong. `violations()` also reads Prism's log, for warnings.

Prism is installed from `package-lock.json` with `npm ci`, into a cache folder outside the checkout
(named by the lock's hash), when it is missing; scripts/setup.sh test does it up front.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTRACTS = HERE / "contracts"
LOCK = HERE / "package-lock.json"
PRISM_HOME = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agent-desktop" / \
    f"prism-{hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]}"
PRISM = PRISM_HOME / "node_modules" / ".bin" / "prism"
CHATWOOT_DOCUMENT = CONTRACTS / "chatwoot" / "swagger.json"
ZENDESK_DOCUMENT = CONTRACTS / "zendesk" / "support-api.yaml"
START_TIMEOUT = 60.0
_install_lock = threading.Lock()


class PrismUnavailable(RuntimeError):
    pass


def ensure_prism() -> Path:
    """Prism from the lock file, installed once (a few seconds from the npm registry)."""
    with _install_lock:
        if PRISM.exists():
            return PRISM
        npm = shutil.which("npm")
        if npm is None:
            raise PrismUnavailable("npm is not installed: run `bash scripts/setup.sh test` (it installs "
                                   "Node.js and Prism), or install nodejs and npm")
        PRISM_HOME.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, PRISM_HOME / name)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=PRISM_HOME,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not PRISM.exists():
            raise PrismUnavailable(f"npm ci failed in {PRISM_HOME}: {done.stderr[-2000:]}")
        return PRISM


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_VIOLATION = re.compile(r"(violation|✖|error)", re.IGNORECASE)


class Prism:
    """`prism proxy` (validating, in front of `upstream`) or `prism mock` (examples only) on a free
    loopback port. Use as a context manager; `url` is where the adapter connects."""

    def __init__(self, document: Path, upstream: str | None = None, *, log_dir: Path | None = None) -> None:
        self.document = document
        self.upstream = upstream
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = (log_dir or Path(os.environ.get("TMPDIR", "/tmp"))) / f"prism-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Prism:
        prism = ensure_prism()
        mode = ["proxy", "--errors", str(self.document), self.upstream] if self.upstream else \
            ["mock", "--errors", str(self.document)]
        log = self.log_path.open("wb")
        self._process = subprocess.Popen([str(prism), *mode, "-h", "127.0.0.1", "-p", str(self.port)],
                                         stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while "Prism is listening" not in self.log():
            if self._process.poll() is not None:
                raise PrismUnavailable(f"prism ended at start (rc {self._process.returncode}):\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise PrismUnavailable(f"prism did not start within {START_TIMEOUT:g} s:\n{self.log()[-3000:]}")
            time.sleep(0.05)   # polling its log for the line it prints when ready
        self._started_at = len(self.log())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def violations(self) -> list[str]:
        """Every line since start-up where Prism found a request or an answer breaking the
        document (its 'Request terminated with error' and violation lines), in order."""
        lines = self.log()[getattr(self, "_started_at", 0):].splitlines()
        return [line for line in lines if _VIOLATION.search(line) and "[CLI]" not in line]


def violations_in(header: str | None) -> list[dict[str, object]]:
    """The `sl-violations` header of one answer, parsed (empty when absent)."""
    if not header:
        return []
    try:
        parsed = json.loads(header)
    except ValueError:
        return [{"message": header}]
    return parsed if isinstance(parsed, list) else [parsed]


if __name__ == "__main__":   # scripts/setup.sh test: install it up front
    print(ensure_prism())
