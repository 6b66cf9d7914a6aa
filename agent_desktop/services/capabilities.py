"""What the connected backend can do, for the UI (which never imports `backends` itself)."""

from __future__ import annotations

from ..backends.base import ALL_CAPABILITIES, Capability, capabilities_of

__all__ = ["ALL_CAPABILITIES", "Capability", "capabilities_of"]
