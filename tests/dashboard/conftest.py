"""Reuse the UI fixtures (qasync loop, real server, signed-in window)."""

from tests.ui.conftest import open_window, server  # noqa: F401
