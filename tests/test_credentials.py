"""Secrets live in the OS keyring only; a machine without one gets a clear message."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from agent_desktop.services import credentials


def test_password_round_trips_through_the_keyring(memory_keyring):
    credentials.set_password("https://helpdesk.example.com", "agent1", "s3cret")
    assert credentials.get_password("https://helpdesk.example.com", "agent1") == "s3cret"
    assert ("agent-desktop", "agent1@https://helpdesk.example.com") in memory_keyring.secrets
    credentials.delete_password("https://helpdesk.example.com", "agent1")
    assert credentials.get_password("https://helpdesk.example.com", "agent1") is None


def test_no_keyring_backend_gives_a_clear_message_and_stores_nothing():
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert credentials.get_password("https://x.example", "agent1") is None
    with pytest.raises(credentials.CredentialsUnavailable, match="no password store"):
        credentials.set_password("https://x.example", "agent1", "s3cret")


def test_plaintext_keyring_is_refused_unless_the_user_opts_in(monkeypatch):
    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]
        stored: dict = {}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    keyring.set_keyring(PlaintextKeyring())
    monkeypatch.delenv("AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING", raising=False)
    with pytest.raises(credentials.CredentialsUnavailable, match="unencrypted"):
        credentials.set_password("https://x.example", "agent1", "s3cret")
    assert PlaintextKeyring.stored == {}
    monkeypatch.setenv("AGENT_DESKTOP_ALLOW_PLAINTEXT_KEYRING", "1")
    credentials.set_password("https://x.example", "agent1", "s3cret")
    assert credentials.get_password("https://x.example", "agent1") == "s3cret"
