"""What can go wrong talking to a backend, for the UI (which never imports `backends` itself)."""

from __future__ import annotations

from ..backends.base import (
    AuthRequired,
    BackendError,
    MalformedResponse,
    NetworkError,
    PermissionDenied,
    Rejected,
    ServerBusy,
    SignIn,
    TlsError,
    Unsupported,
    UnsupportedVersion,
)

__all__ = ["AuthRequired", "BackendError", "MalformedResponse", "NetworkError", "PermissionDenied", "Rejected",
           "ServerBusy", "SignIn", "TlsError", "Unsupported", "UnsupportedVersion"]
