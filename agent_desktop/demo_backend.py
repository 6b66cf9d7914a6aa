"""The embedded demo backend: our reference server on a free loopback port, data in the data dir.

At the top of the package, beside app.py, which hands it to the start-up: the client's layers
(ui, services) never import the server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .services.paths import demo_server_db

if TYPE_CHECKING:
    from .server.embedded import EmbeddedServer

DEMO_USERS = ("agent1", "lead1")
DEMO_PASSWORD = "demo"
DEMO_CACHE_KEY = "embedded-demo"  # the embedded server's port changes per launch; its data does not


class EmbeddedDemo:
    users: tuple[str, ...] = DEMO_USERS
    password: str = DEMO_PASSWORD
    cache_key: str = DEMO_CACHE_KEY

    def __init__(self, base_dir: Path, *, simulate: bool = False) -> None:
        self.db_path = demo_server_db(base_dir)
        self.simulate = simulate
        self._server: EmbeddedServer | None = None

    def start(self) -> str:
        """Blocking (demo data is generated on first start): run on a worker thread. Returns the URL."""
        from .server.embedded import EmbeddedServer  # imported here: only the demo needs FastAPI

        self._server = EmbeddedServer()
        return self._server.start(self.db_path, demo=True, simulate=self.simulate)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
