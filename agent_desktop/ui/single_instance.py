"""One app per data folder, and a second start brings the first one's window to the front.

The first instance listens on a local socket named after its data folder; a second start (the
lock is taken) sends it "raise" or "open ID" and exits, so a link from another tool
(`--open ID`) lands in the running window instead of in a message box.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = 1500


def socket_name(base: Path) -> str:
    digest = hashlib.sha1(str(base.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"agent-desktop-{digest}"


def ask_running_instance(base: Path, open_id: str | None) -> bool:
    """True when the running instance got the request (then this process should exit)."""
    socket = QLocalSocket()
    socket.connectToServer(socket_name(base))
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write((f"open {open_id}" if open_id else "raise").encode("utf-8") + b"\n")
    delivered = socket.waitForBytesWritten(TIMEOUT_MS)
    socket.disconnectFromServer()
    return delivered


class InstanceServer:
    """Listens for later starts; `on_request(open_id or None)` runs on the GUI thread."""

    def __init__(self, base: Path, on_request: Callable[[str | None], None]) -> None:
        self.on_request = on_request
        self.server = QLocalServer()
        name = socket_name(base)
        QLocalServer.removeServer(name)   # a socket file left by a killed instance (we hold the lock)
        self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._read(c))

    def _read(self, connection: QLocalSocket) -> None:
        if not connection.canReadLine():
            return
        line = bytes(connection.readLine().data()).decode("utf-8", "replace").strip()[:200]
        connection.disconnectFromServer()
        if line == "raise":
            self.on_request(None)
        elif line.startswith("open "):
            self.on_request(line[5:].strip() or None)

    def close(self) -> None:
        self.server.close()
