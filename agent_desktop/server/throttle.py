"""Slowing down guessing: growing delays after repeated failures, per key, on an injectable clock.

`Backoff` counts failures per key (a client address, a user name, an address × name pair) in a
sliding window. The first `free` failures cost nothing; from then on the next attempt must wait
1 s, 2 s, 4 s … (doubling per failure, at most `cap`) after the last failure. Nothing is ever
locked: when the delay has passed, the next attempt is judged on its merits.

`SignInThrottle` combines three of them (the rule, and why):

* per address × name — the owner's own mistypes; always applies;
* per address — one machine spraying passwords across many names;
* per name — many machines guessing one account. Failures by others must not keep the owner
  out, so an address that has signed in as that name before (remembered in memory) is exempt
  from the per-name and per-address delays: the owner at their usual desk signs in at once however
  hard the name is attacked. From a new address the owner waits at most the per-name cap (60 s).

While a key is delayed the attempt is refused (429 + Retry-After) before the password is checked,
so a throttled guesser learns nothing, and a refused attempt does not count as a failure.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class Backoff:
    """Failures per key in a sliding `window` (seconds); `retry_after` says how long to wait."""

    def __init__(self, *, free: int, window: float, cap: float, clock: Clock = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.free, self.window, self.cap, self.max_keys = free, window, cap, max_keys
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, key: str) -> int:
        """Whole seconds until the next attempt for `key` is allowed; 0 if allowed now."""
        now = self.clock()
        with self._lock:
            failures = self._recent(key, now)
            if not failures or len(failures) < self.free:
                return 0
            delay = min(self.cap, 2.0 ** (len(failures) - self.free))
            wait = failures[-1] + delay - now
            return math.ceil(wait) if wait > 0 else 0

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                # Bound memory under a spray of names or addresses: keep only the live keys.
                self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > now - self.window}
            failures = self._failures.setdefault(key, deque(maxlen=64))  # 64 failures reach any cap
            failures.append(now)

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class SignInThrottle:
    """The sign-in rule of the module docstring."""

    def __init__(self, clock: Clock = time.monotonic, *, window: float = 900.0) -> None:
        self.pair = Backoff(free=5, window=window, cap=300.0, clock=clock)
        self.address = Backoff(free=20, window=window, cap=900.0, clock=clock)  # a call centre shares one NAT
        self.name = Backoff(free=5, window=window, cap=60.0, clock=clock)
        self._known: dict[str, set[str]] = {}  # name → addresses that signed in as it
        self._lock = threading.Lock()

    @staticmethod
    def _name(username: str) -> str:
        return username.casefold()

    def _is_known(self, address: str, name: str) -> bool:
        with self._lock:
            return address in self._known.get(name, ())

    def retry_after(self, address: str, username: str) -> int:
        """Seconds to wait before this attempt may be checked; 0: check the password now."""
        name = self._name(username)
        waits = [self.pair.retry_after(f"{address}\n{name}")]
        if not self._is_known(address, name):
            waits += [self.address.retry_after(address), self.name.retry_after(name)]
        return max(waits)

    def failed(self, address: str, username: str) -> None:
        name = self._name(username)
        self.pair.failed(f"{address}\n{name}")
        self.address.failed(address)
        self.name.failed(name)

    def succeeded(self, address: str, username: str) -> None:
        """The owner proved who they are from `address`: their own mistypes are forgiven, and this
        address is exempt from delays others cause. The address's count is kept: one good account
        must not reset a spray across the others."""
        name = self._name(username)
        self.pair.forget(f"{address}\n{name}")
        with self._lock:
            known = self._known.setdefault(name, set())
            if len(known) >= 32:  # bounded: the oldest memory is not worth keeping order for
                known.clear()
            known.add(address)


class KeyThrottle:
    """Wrong integration keys per client address: 5 free, then growing delays up to 15 minutes."""

    def __init__(self, clock: Clock = time.monotonic, *, window: float = 900.0) -> None:
        self.address = Backoff(free=5, window=window, cap=900.0, clock=clock)

    def retry_after(self, address: str) -> int:
        return self.address.retry_after(address)

    def failed(self, address: str) -> None:
        self.address.failed(address)
