"""Saved profiles: a JSON file without secrets, secrets in the keyring, one cache per account."""

from __future__ import annotations

import json

import pytest

from agent_desktop.services import credentials
from agent_desktop.services.paths import cache_path
from agent_desktop.services.profiles import ProfileError, ProfileStore, backend_kinds, server_key

SECRET = "s3cret-不要泄露-7d1"


def test_profiles_round_trip_through_the_file_and_the_last_used_is_remembered(tmp_path):
    store = ProfileStore(tmp_path)
    main = store.add("Main desk", "reference", "https://helpdesk.example.com/", "agent1")
    rt = store.add("RT", "rt", "https://rt.example.com", "agent1", "token")
    store.set_active(rt.id)
    again = ProfileStore(tmp_path)
    assert again.list() == [main, rt]
    assert main.base_url == "https://helpdesk.example.com"          # the address as the backend has it
    assert main.secret_kind == "password" and rt.secret_kind == "token"
    assert again.active() == rt
    assert again.find("main DESK") == main and again.find(rt.id) == rt
    renamed = again.update(main.__class__(**{**main.__dict__, "name": "Front desk"}))
    assert ProfileStore(tmp_path).get(main.id) == renamed
    assert not list(tmp_path.glob(".profiles-*"))                  # no temporary file left behind


def test_the_file_holds_no_secret_and_the_keyring_holds_it_per_account(tmp_path, memory_keyring):
    store = ProfileStore(tmp_path)
    one = store.add("One", "reference", "https://a.example.com", "agent1")
    two = store.add("Two", "rt", "https://a.example.com", "agent1", "token")   # same address and user, other kind
    store.set_secret(one, SECRET)
    store.set_secret(two, "token-two")
    text = (tmp_path / "profiles.json").read_text(encoding="utf-8")
    assert SECRET not in text and "token-two" not in text
    assert set(json.loads(text)["profiles"][0]) == {"id", "name", "kind", "base_url", "username", "secret_kind"}
    assert store.secret(one) == SECRET and store.secret(two) == "token-two"
    # The reference server keeps the key it had before profiles: a password saved by a CLI start works.
    assert credentials.get_password("https://a.example.com", "agent1") == SECRET
    assert len(memory_keyring.secrets) == 2
    store.remove(one.id)
    assert store.secret(one) is None and store.secret(two) == "token-two"
    assert [p.name for p in ProfileStore(tmp_path).list()] == ["Two"]


def test_each_account_has_its_own_cache_and_the_reference_names_stay_as_they_were(tmp_path):
    store = ProfileStore(tmp_path)
    a = store.add("A", "reference", "https://a.example.com", "agent1")
    b = store.add("B", "reference", "https://b.example.com", "agent1")
    c = store.add("C", "rt", "https://a.example.com", "agent1", "token")
    files = {store.cache_file(p) for p in (a, b, c)}
    assert len(files) == 3
    assert store.cache_file(a) == cache_path(tmp_path, "https://a.example.com", "agent1")
    assert server_key("rt", "https://a.example.com/") == "rt:https://a.example.com"


def test_removing_with_the_cache_deletes_its_files_only(tmp_path):
    store = ProfileStore(tmp_path)
    a = store.add("A", "reference", "https://a.example.com", "agent1")
    b = store.add("B", "reference", "https://b.example.com", "agent1")
    for profile in (a, b):
        path = store.cache_file(profile)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        path.with_name(path.name + "-wal").write_bytes(b"x")
    store.set_active(a.id)
    store.remove(a.id, delete_cache=True)
    assert not store.cache_file(a).exists() and not store.cache_file(a).with_name(store.cache_file(a).name + "-wal").exists()
    assert store.cache_file(b).exists()
    assert store.active() is None


@pytest.mark.parametrize(("fields", "code"), [
    (("", "reference", "https://x.example", "u"), "no_name"),
    (("X", "nope", "https://x.example", "u"), "bad_kind"),
    (("X", "reference", "http://x.example", "u"), "bad_address"),
    (("X", "reference", "https://u:p@x.example", "u"), "bad_address"),
    (("X", "reference", "https://x.example", " "), "no_user"),
    (("Taken", "reference", "https://y.example", "u"), "duplicate_name"),
    (("X", "reference", "https://taken.example/", "u"), "duplicate_account"),
])
def test_a_profile_the_app_could_not_use_is_refused_with_a_reason(tmp_path, fields, code):
    store = ProfileStore(tmp_path)
    store.add("Taken", "reference", "https://taken.example", "u")
    with pytest.raises(ProfileError) as refused:
        store.add(*fields)
    assert refused.value.code == code
    assert len(ProfileStore(tmp_path).list()) == 1


def test_a_token_for_a_password_only_kind_is_refused(tmp_path):
    with pytest.raises(ProfileError, match="token"):
        ProfileStore(tmp_path).add("X", "reference", "https://x.example", "u", "token")


def test_a_damaged_file_is_kept_aside_and_the_app_starts_without_profiles(tmp_path):
    (tmp_path / "profiles.json").write_text("{not json", encoding="utf-8")
    store = ProfileStore(tmp_path)
    assert store.list() == []
    assert (tmp_path / "profiles.json.damaged").exists()


def test_the_kinds_are_listed_for_the_ui_without_backends():
    kinds = {kind.name: kind for kind in backend_kinds()}
    assert kinds["reference"].secrets == ("password",)
    assert kinds["rt"].secrets[0] == "token" and kinds["rt"].example_url.startswith("https://")
