"""The kinds of backend the app can connect to, named once: the CLI's `--backend`, the profiles
dialog and the composition root all pick an adapter from here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .base import Backend

SecretKind = Literal["password", "token"]


@dataclass(frozen=True)
class BackendKind:
    name: str                   # what `--backend` and the profile file say
    label: str                  # English; the UI translates it (context "BackendKind")
    module: str                 # imported on first use, so an unused adapter costs nothing at start
    factory: str                # the class (or function) in `module` taking the base URL
    secrets: tuple[SecretKind, ...] = ("password",)   # what the user may give, first is the default
    example_url: str = ""

    def make(self, base_url: str) -> Backend:
        make: Callable[[str], Backend] = getattr(importlib.import_module(self.module), self.factory)
        return make(base_url)


KINDS: dict[str, BackendKind] = {kind.name: kind for kind in (
    BackendKind("reference", "Agent Desktop server", "agent_desktop.backends.reference", "ReferenceBackend",
                ("password",), "https://helpdesk.example.com"),
    BackendKind("rt", "Request Tracker 5", "agent_desktop.backends.rt", "RequestTrackerBackend",
                ("token", "password"), "https://rt.example.com"),
    # Chatwoot's account id rides in the address, as the browser shows it (…/app/accounts/3); without
    # it the adapter takes the user's default account.
    BackendKind("chatwoot", "Chatwoot", "agent_desktop.backends.chatwoot", "ChatwootBackend",
                ("token",), "https://chatwoot.example.com/app/accounts/1"),
    BackendKind("zendesk", "Zendesk", "agent_desktop.backends.zendesk", "ZendeskBackend",
                ("token",), "https://example.zendesk.com"),
    BackendKind("zammad", "Zammad", "agent_desktop.backends.zammad", "ZammadBackend",
                ("token", "password"), "https://zammad.example.com"),
)}
DEFAULT_KIND = "reference"


class UnknownBackendKind(ValueError):
    pass


def kind_of(name: str) -> BackendKind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownBackendKind(f"unknown backend kind {name!r}; known: {', '.join(KINDS)}") from None


def make_backend(server_url: str, kind: str = DEFAULT_KIND) -> Backend:
    return kind_of(kind).make(server_url)


def kind_name_of(backend: object) -> str:
    """Which registered kind `backend` is ("" for one built elsewhere, e.g. a test's own adapter)."""
    cls = type(backend)
    for kind in KINDS.values():
        if (cls.__module__, cls.__name__) == (kind.module, kind.factory):
            return kind.name
    return ""
