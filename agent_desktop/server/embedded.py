"""Run the reference server inside another process (the desktop app's demo mode, integration tests)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .demo_data import DEFAULT_SEED
from .simulate import Simulator, contacts_from_database
from .stats_demo import DemoFloor

log = logging.getLogger(__name__)

DEMO_INTEGRATION_KEY = "demo-integration-key"
START_TIMEOUT = 30.0


class EmbeddedServer:
    """Uvicorn on 127.0.0.1 at a free port, in a daemon thread.

    Usage: ``url = server.start(path)`` … ``server.stop()``, or as a context manager after `start`.
    """

    def __init__(self) -> None:
        self.url: str | None = None
        self.app: FastAPI | None = None
        self.integration_key: str | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._simulator: Simulator | None = None
        self._floor: DemoFloor | None = None

    def start(self, db_path: str | Path, *, demo: bool = True, integration_key: str | None = DEMO_INTEGRATION_KEY,
              simulate: bool = False, seed: int = DEFAULT_SEED, simulate_interval: float = 5.0,
              agents_see_all: bool = False, max_attachment_bytes: int | None = None) -> str:
        """Open (and with `demo`, fill) the database, serve it, and return the base URL."""
        if self._thread is not None:
            raise RuntimeError("the embedded server is already running")
        self.app = app = create_app(db_path, integration_key=integration_key, demo=demo, seed=seed,
                                    agents_see_all=agents_see_all, max_attachment_bytes=max_attachment_bytes)
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and
        # without it every small response waits ~40 ms for a delayed ACK (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # port 0: the OS picks a free port, no race with other servers
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, args=(server, sock), name="reference-server",
                                        daemon=True)
        self._thread.start()
        self._wait_started(server, sock)
        self.url = f"http://127.0.0.1:{port}"
        self.integration_key = integration_key
        if simulate and integration_key:
            self._simulator = Simulator(self.url, integration_key, interval=simulate_interval,
                                        contacts=contacts_from_database(app.state.db))
            self._simulator.start()
            self._floor = DemoFloor(app.state.db)  # simulated colleagues answer and resolve
            self._floor.start()
        return self.url

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported by start(), which is waiting for us
            self._failure = exc
        finally:
            sock.close()

    def _wait_started(self, server: uvicorn.Server, sock: socket.socket) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self._thread is not None
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                self._thread.join(5)
                self._thread = None
                reason = repr(self._failure) if self._failure else f"not serving after {START_TIMEOUT:.0f} s"
                raise RuntimeError(f"the embedded reference server did not start: {reason}")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (and simulating) and wait for the server thread; safe to call twice."""
        if self._simulator is not None:
            self._simulator.stop()
            self._simulator = None
        if self._floor is not None:
            self._floor.stop()
            self._floor = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the embedded server did not stop within %.0f s", timeout)
        self._server = self._thread = None
        self.url = None

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
