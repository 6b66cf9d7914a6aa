"""Profile fixtures: the shared UI fixtures (a real reference server, a signed-in window)."""

from __future__ import annotations

from tests.ui.conftest import open_window, server  # noqa: F401 - shared fixtures
