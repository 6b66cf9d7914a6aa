"""Secrets through the OS keyring only: never in SQLite, settings, logs or exception text."""

from __future__ import annotations

import os
from typing import Any

SERVICE = "agent-desktop"


class CredentialsUnavailable(RuntimeError):
    """No usable keyring on this machine; the message tells the user what to do."""


def _keyring() -> Any:
    """The keyring module, imported on first use: the demo never needs it (~50 ms at start-up)."""
    import keyring
    import keyring.errors

    return keyring


def _check_backend() -> None:
    backend = _keyring().get_keyring()
    module, name = type(backend).__module__, type(backend).__name__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        raise CredentialsUnavailable(
            "This computer has no password store (keyring). Install and unlock one (GNOME Keyring, KWallet "
            "or Windows Credential Manager), or set AGENT_DESKTOP_PASSWORD for this session."
        )
    if "plaintext" in name.lower() and not os.environ.get("AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING"):
        raise CredentialsUnavailable(
            "The configured password store keeps passwords unencrypted on disk. Use the system keyring, or set "
            "AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING=1 if you accept that risk."
        )


def _account(server: str, username: str) -> str:
    return f"{username}@{server}"


def get_password(server: str, username: str) -> str | None:
    try:
        _check_backend()
        return _keyring().get_password(SERVICE, _account(server, username))
    except (CredentialsUnavailable, _keyring().errors.KeyringError):
        return None


def set_password(server: str, username: str, password: str) -> None:
    _check_backend()
    try:
        _keyring().set_password(SERVICE, _account(server, username), password)
    except _keyring().errors.KeyringError as exc:
        raise CredentialsUnavailable(f"the password store refused to save the password ({type(exc).__name__})") from exc


def delete_password(server: str, username: str) -> None:
    try:
        _keyring().delete_password(SERVICE, _account(server, username))
    except _keyring().errors.KeyringError:
        pass
