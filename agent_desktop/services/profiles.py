"""Saved backend profiles: which helpdesk, which kind of server, which account.

Kept in `profiles.json` in the data folder, written atomically. The file never holds a secret:
each profile's password or API token is in the OS keyring (services/credentials.py), keyed by
kind + server address + user name, as its cache file is (`server_key`)."""

from __future__ import annotations

import builtins
import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..backends import registry
from . import credentials
from .paths import cache_path

log = logging.getLogger(__name__)
FILE_NAME = "profiles.json"
FORMAT_VERSION = 1
DEFAULT_KIND = registry.DEFAULT_KIND
SECRET_KINDS = ("password", "token")


@dataclass(frozen=True)
class KindInfo:
    """A kind of backend as the UI shows it (the UI never imports `backends`)."""

    name: str
    label: str                       # English; the UI translates it (context "BackendKind")
    secrets: tuple[str, ...]         # "password", "token"; the first is the default
    example_url: str


def backend_kinds() -> list[KindInfo]:
    return [KindInfo(kind.name, kind.label, tuple(kind.secrets), kind.example_url) for kind in registry.KINDS.values()]


def kind_info(name: str) -> KindInfo:
    kind = registry.kind_of(name)   # UnknownBackendKind (a ValueError) for a name we do not know
    return KindInfo(kind.name, kind.label, tuple(kind.secrets), kind.example_url)


def server_key(kind: str, base_url: str) -> str:
    """What the cache file and the keyring entry are keyed by, with the user name. The reference
    server keeps the bare address, as before profiles existed, so its caches and saved passwords
    still work; any other kind is prefixed, so the same address under two kinds never shares."""
    url = base_url.strip().rstrip("/")
    return url if kind == DEFAULT_KIND else f"{kind}:{url}"


def env_secret(secret_kind: str) -> str | None:
    """The secret given for this session in the environment (CI, kiosks): never saved anywhere."""
    if secret_kind == "token":
        return os.environ.get("AGENT_DESKTOP_TOKEN") or os.environ.get("AGENT_DESKTOP_PASSWORD")
    return os.environ.get("AGENT_DESKTOP_PASSWORD")


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    kind: str
    base_url: str
    username: str
    secret_kind: str = "password"

    @property
    def server_key(self) -> str:
        return server_key(self.kind, self.base_url)


class ProfileError(ValueError):
    """A profile the store refuses; `code` says why (the UI words it), `str()` is English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code   # no_name, no_user, duplicate_name, duplicate_account, bad_kind, bad_secret_kind,
        # bad_address, missing


class ProfileStore:
    """The saved profiles and which one was used last. Call from one thread (the GUI's): every
    change rewrites the small file at once."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.path = base / FILE_NAME
        self._profiles: builtins.list[Profile] = []
        self._active: str | None = None
        self._load()

    # -- reading ---------------------------------------------------------------------------------
    def list(self) -> builtins.list[Profile]:
        return list(self._profiles)

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self._profiles if p.id == profile_id), None)

    def find(self, name_or_id: str) -> Profile | None:
        """By id, or by name ignoring case (what `--profile NAME` says)."""
        wanted = name_or_id.strip().casefold()
        return self.get(name_or_id) or next((p for p in self._profiles if p.name.casefold() == wanted), None)

    def find_account(self, kind: str, base_url: str, username: str) -> Profile | None:
        key = server_key(kind, base_url)
        return next((p for p in self._profiles if p.server_key == key and p.username == username), None)

    def active(self) -> Profile | None:
        """The profile used last, if it still exists."""
        return self.get(self._active) if self._active else None

    def cache_file(self, profile: Profile) -> Path:
        return cache_path(self.base, profile.server_key, profile.username)

    # -- changing --------------------------------------------------------------------------------
    def add(self, name: str, kind: str, base_url: str, username: str, secret_kind: str | None = None) -> Profile:
        default_secret = registry.KINDS[kind].secrets[0] if kind in registry.KINDS else "password"
        profile = self._checked(Profile(uuid.uuid4().hex[:12], name.strip(), kind, base_url, username.strip(),
                                        secret_kind or default_secret))
        self._profiles.append(profile)
        self._save()
        return profile

    def update(self, profile: Profile) -> Profile:
        """Replaces the profile with the same id. A new address, kind or user name is another
        account: the old account's saved secret is forgotten (the profile owned it)."""
        old = self.get(profile.id)
        if old is None:
            raise ProfileError("missing", "no such profile")
        profile = self._checked(replace(profile, name=profile.name.strip(), username=profile.username.strip()))
        self._profiles[self._profiles.index(old)] = profile
        self._save()
        if (old.server_key, old.username) != (profile.server_key, profile.username):
            credentials.delete_password(old.server_key, old.username)
        return profile

    def remove(self, profile_id: str, *, delete_cache: bool = False) -> None:
        """Forgets the profile and its saved secret; with `delete_cache`, its cache files too (the
        UI asks first: unsent work in the outbox goes with them). Never remove the cache of the
        session that is open."""
        profile = self.get(profile_id)
        if profile is None:
            return
        self._profiles.remove(profile)
        if self._active == profile_id:
            self._active = None
        self._save()
        credentials.delete_password(profile.server_key, profile.username)
        if delete_cache:
            cache = self.cache_file(profile)
            for path in (cache, cache.with_name(cache.name + "-wal"), cache.with_name(cache.name + "-shm")):
                path.unlink(missing_ok=True)

    def set_active(self, profile_id: str | None) -> None:
        if profile_id != self._active:
            self._active = profile_id if profile_id is None or self.get(profile_id) else None
            self._save()

    # -- secrets (the keyring only) --------------------------------------------------------------
    def secret(self, profile: Profile) -> str | None:
        return credentials.get_password(profile.server_key, profile.username)

    def set_secret(self, profile: Profile, secret: str) -> None:
        """Raises credentials.CredentialsUnavailable when there is no usable keyring."""
        credentials.set_password(profile.server_key, profile.username, secret)

    def forget_secret(self, profile: Profile) -> None:
        credentials.delete_password(profile.server_key, profile.username)

    # -- the file --------------------------------------------------------------------------------
    def _checked(self, profile: Profile) -> Profile:
        from ..backends.http import check_url  # here: requests is not needed to read the profiles

        if not profile.name:
            raise ProfileError("no_name", "a profile needs a name")
        try:
            kind = kind_info(profile.kind)
        except registry.UnknownBackendKind as exc:
            raise ProfileError("bad_kind", str(exc)) from None
        if profile.secret_kind not in kind.secrets:
            raise ProfileError("bad_secret_kind", f"{kind.name} does not sign in with a {profile.secret_kind}")
        try:
            url = check_url(profile.base_url.strip())
        except ValueError as exc:
            raise ProfileError("bad_address", str(exc)) from None
        if not profile.username:
            raise ProfileError("no_user", "a profile needs a user name")
        profile = replace(profile, base_url=url)
        for other in self._profiles:
            if other.id == profile.id:
                continue
            if other.name.casefold() == profile.name.casefold():
                raise ProfileError("duplicate_name", f"a profile named {profile.name!r} exists")
            if (other.server_key, other.username) == (profile.server_key, profile.username):
                raise ProfileError("duplicate_account", f"profile {other.name!r} is this account already")
        return profile

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            # Unreadable: kept aside for a person to look at, and the app starts without profiles.
            log.warning("profiles file unreadable (%s); moved aside", type(exc).__name__)
            self.path.replace(self.path.with_name(FILE_NAME + ".damaged"))
            return
        fields = {"id", "name", "kind", "base_url", "username", "secret_kind"}
        for item in raw.get("profiles", []) if isinstance(raw, dict) else []:
            if isinstance(item, dict) and all(isinstance(item.get(f), str) for f in fields):
                self._profiles.append(Profile(**{f: item[f] for f in fields}))
        active = raw.get("active") if isinstance(raw, dict) else None
        self._active = active if isinstance(active, str) and self.get(active) else None

    def _save(self) -> None:
        """Written to a temporary file beside it, then renamed over it: never half a file."""
        body: dict[str, Any] = {"version": FORMAT_VERSION, "active": self._active,
                                "profiles": [asdict(p) for p in self._profiles]}
        self.base.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".profiles-", suffix=".json", dir=self.base)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(body, out, ensure_ascii=False, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
