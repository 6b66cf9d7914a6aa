"""Issue 14, item 4: failed sign-ins and wrong integration keys slow guessing down, per client
address and per user name, without ever locking the right password out (server/throttle.py).

The server is real; the throttles run on a clock the test moves, and the client address comes
from a test header (`app.state.client_address`), so no test sleeps and several machines can be
played from one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from agent_desktop.server.throttle import Backoff, KeyThrottle, SignInThrottle

from .conftest import KEY, EmbeddedServer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Client:
    """Requests as if from `address`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def sign_in(self, username: str, password: str, address: str = "10.0.0.1") -> requests.Response:
        return self.http.post(f"{self.url}/api/v1/auth/token", json={"username": username, "password": password},
                              headers={"X-Test-Address": address}, timeout=10)

    def inbound(self, key: str, address: str = "10.0.0.1") -> requests.Response:
        body = {"channel": "chat", "customer": {"name": "访客", "handle": "throttle-test"}, "body": "hello"}
        return self.http.post(f"{self.url}/api/v1/inbound", json=body,
                              headers={"X-Integration-Key": key, "X-Test-Address": address}, timeout=10)


@pytest.fixture
def clock(server: EmbeddedServer) -> Iterator[FakeClock]:
    """Fresh throttles on a fake clock, and addresses from X-Test-Address, for one test."""
    app = server.app
    assert app is not None
    saved = app.state.sign_in_throttle, app.state.key_throttle, getattr(app.state, "client_address", None)
    fake = FakeClock()
    app.state.sign_in_throttle = SignInThrottle(fake)
    app.state.key_throttle = KeyThrottle(fake)
    app.state.client_address = lambda request: request.headers.get("X-Test-Address", "127.0.0.1")
    yield fake
    app.state.sign_in_throttle, app.state.key_throttle, app.state.client_address = saved


@pytest.fixture
def client(server: EmbeddedServer) -> Client:
    assert server.url
    return Client(server.url)


def _limited(response: requests.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    return int(response.headers["Retry-After"])


def _fail(client: Client, times: int, username: str, address: str) -> None:
    for _ in range(times):
        answer = client.sign_in(username, "wrong", address)
        assert answer.status_code == 401, answer.text


# -- sign-in --------------------------------------------------------------------------------------


def test_five_failures_from_one_address_slow_that_name_down_with_growing_delays(clock: FakeClock,
                                                                                client: Client) -> None:
    _fail(client, 5, "agent4", "10.0.0.1")
    assert _limited(client.sign_in("agent4", "wrong", "10.0.0.1")) == 1
    assert _limited(client.sign_in("agent4", "demo", "10.0.0.1")) == 1  # no oracle while delayed
    clock.advance(1)
    _fail(client, 1, "agent4", "10.0.0.1")  # the delay passed: judged on its merits again
    assert _limited(client.sign_in("agent4", "wrong", "10.0.0.1")) == 2  # and it doubled
    clock.advance(2)
    assert client.sign_in("agent4", "demo", "10.0.0.1").status_code == 200  # never locked


def test_spraying_many_names_from_one_address_is_slowed(clock: FakeClock, client: Client) -> None:
    for n in range(20):  # one guess per name: no per-name throttle ever fires
        _fail(client, 1, f"spray{n}", "10.0.0.2")
    assert _limited(client.sign_in("spray-next", "wrong", "10.0.0.2")) >= 1
    assert _limited(client.sign_in("agent5", "demo", "10.0.0.2")) >= 1  # a new name from there waits too
    assert client.sign_in("agent5", "demo", "10.0.0.3").status_code == 200  # other addresses are not slowed


def test_guessing_one_name_from_many_addresses_is_slowed(clock: FakeClock, client: Client) -> None:
    for n in range(5):
        _fail(client, 1, "agent6", f"10.1.0.{n}")
    retry = _limited(client.sign_in("agent6", "wrong", "10.1.0.99"))
    for _ in range(6):  # keeps growing, up to the per-name cap
        clock.advance(retry)
        _fail(client, 1, "agent6", "10.1.0.99")
        retry = _limited(client.sign_in("agent6", "wrong", "10.1.0.98"))
    assert retry == 60


def test_the_owner_signs_in_at_once_from_a_known_address_however_hard_the_name_is_guessed(
        clock: FakeClock, client: Client) -> None:
    assert client.sign_in("agent7", "demo", "10.2.0.1").status_code == 200  # the owner's desk
    for n in range(12):
        clock.advance(60)  # each guesser waits out the delay, keeping the name at its cap
        _fail(client, 1, "agent7", f"10.3.0.{n}")
    assert _limited(client.sign_in("agent7", "demo", "10.9.9.9")) >= 1  # a stranger waits …
    assert client.sign_in("agent7", "demo", "10.2.0.1").status_code == 200  # … the owner does not


def test_the_right_password_from_a_new_address_waits_at_most_the_per_name_cap(clock: FakeClock,
                                                                               client: Client) -> None:
    for n in range(30):
        clock.advance(60)
        _fail(client, 1, "agent8", f"10.4.0.{n}")
    wait = _limited(client.sign_in("agent8", "demo", "10.5.0.1"))
    assert wait <= 60
    clock.advance(wait)
    assert client.sign_in("agent8", "demo", "10.5.0.1").status_code == 200


def test_a_success_forgives_the_owners_own_mistypes(clock: FakeClock, client: Client) -> None:
    _fail(client, 4, "agent9", "10.6.0.1")
    assert client.sign_in("agent9", "demo", "10.6.0.1").status_code == 200
    _fail(client, 4, "agent9", "10.6.0.1")  # a fresh allowance, not 1 left
    assert client.sign_in("agent9", "demo", "10.6.0.1").status_code == 200


def test_failures_expire_with_the_window(clock: FakeClock, client: Client) -> None:
    _fail(client, 5, "agent10", "10.7.0.1")
    assert _limited(client.sign_in("agent10", "wrong", "10.7.0.1")) == 1
    clock.advance(901)
    _fail(client, 4, "agent10", "10.7.0.1")  # the old five no longer count
    assert client.sign_in("agent10", "demo", "10.7.0.1").status_code == 200


# -- the integration key --------------------------------------------------------------------------


def test_wrong_integration_keys_are_throttled_per_address(clock: FakeClock, client: Client) -> None:
    for _ in range(5):
        assert client.inbound("wrong", "10.8.0.1").status_code == 401
    assert _limited(client.inbound("wrong", "10.8.0.1")) == 1
    assert _limited(client.inbound(KEY, "10.8.0.1")) == 1  # no oracle: the right key waits too
    assert client.inbound(KEY, "10.8.0.2").status_code in (200, 201)  # another connector is not slowed
    clock.advance(1)
    assert client.inbound(KEY, "10.8.0.1").status_code in (200, 201)


# -- the rule itself ------------------------------------------------------------------------------


def test_backoff_doubles_from_one_second_and_stops_at_its_cap() -> None:
    clock = FakeClock()
    backoff = Backoff(free=2, window=100, cap=8, clock=clock)
    waits: list[Any] = []
    for _ in range(7):
        backoff.failed("k")
        waits.append(backoff.retry_after("k"))
    assert waits == [0, 1, 2, 4, 8, 8, 8]
    clock.advance(8)
    assert backoff.retry_after("k") == 0
