"""Shared test set-up: offscreen Qt, an in-memory keyring, a private data dir per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets kept in this process only: tests never touch the machine's keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def app_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AGENT_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def loop(qapp):
    """The one qasync loop of the test session: asyncio runs on the Qt event loop, as in the app.

    One loop only — asyncio objects (events, futures) bind to a loop, so a second loop would
    break anything created under the first.
    """
    import asyncio

    from agent_desktop.ui.event_loop import AppEventLoop

    event_loop = AppEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    # Worker threads of asyncio.to_thread must end before Qt tears down, or Qt aborts the process
    # ("QThread: Destroyed while thread is still running").
    if not event_loop.is_running():
        event_loop.close()  # shuts qasync's default QThreadExecutor down and waits for its threads
