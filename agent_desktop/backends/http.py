"""Shared HTTP plumbing: one requests.Session per thread, status codes mapped to our errors."""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from ..domain.timeutil import utcnow
from .base import (
    AuthRequired,
    CursorExpired,
    MalformedResponse,
    NetworkError,
    PermissionDenied,
    Rejected,
    ServerBusy,
    TlsError,
    VersionConflict,
)

MAX_RETRY_AFTER = 300.0   # a server asking for hours is clamped: the agent is waiting
DEFAULT_TIMEOUT = (5.0, 30.0)   # connect, and each read: a silent server is noticed in 30 s
# The whole answer, however it trickles in (the read timeout above restarts with every byte), and
# its size: past either, the request fails instead of hanging the sync or filling memory. A page of
# 1,000 changes is ~0.5 MB, but one message may hold the 10 MB body the domain accepts, which JSON
# escapes to up to 60 MB: the cap stays above that, or such a page could never be read.
DEFAULT_DEADLINE = 90.0
MAX_BODY_BYTES = 128 * 1024 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def check_url(url: str) -> str:
    """Only https, or plain http to this machine: tokens never cross a network in clear text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a server address: {url!r}")
    if parts.username or parts.password:
        raise ValueError("put the user name and password in the sign-in dialog, not in the server address")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError("plain http is allowed only to this computer (127.0.0.1); use https")
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or 'localhost' — and not a name that merely starts with '127.'."""
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_retry_after(value: str | None) -> float | None:
    """Seconds or an HTTP-date, clamped to [0, MAX_RETRY_AFTER]; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - utcnow()).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """Replace lone surrogates in every string (keys too) of a parsed JSON value."""
    stack = [value]
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        fixes: list[tuple[Any, str | None]] = []   # (key or index, fixed value; None: fix the key)
        for key, item in items:
            if isinstance(item, str):
                if _SURROGATE.search(item):
                    fixes.append((key, _SURROGATE.sub("\ufffd", item)))
            elif isinstance(item, (dict, list)):
                stack.append(item)
            if isinstance(key, str) and _SURROGATE.search(key):
                fixes.append((key, None))
        for key, fixed in fixes:
            if fixed is None:
                node[_SURROGATE.sub("\ufffd", key)] = node.pop(key)
            else:
                node[key] = fixed
    return value


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
        # Ours: {"error": {"message": …}}; Request Tracker's REST2: {"message": …}; Zammad:
        # {"error_human": …}; Zendesk: {"error": …, "description": …}; Chatwoot: {"error": …} or
        # {"errors": […]}.
        error = body.get("error")
        if isinstance(error, dict):
            message = error["message"]
        else:
            message = body.get("error_human") or body.get("description") or body.get("message") or error
            if message is None and isinstance(body.get("errors"), list):
                message = "; ".join(str(item) for item in body["errors"][:3])
        if isinstance(message, str) and message:
            return message[:300]
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return f"HTTP {response.status_code}"


class HttpClient:
    """JSON over HTTP with the contract's error mapping. Thread-safe: a Session per thread."""

    def __init__(self, base_url: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 verify: bool | str = True, deadline: float = DEFAULT_DEADLINE,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.base_url = check_url(base_url)
        self.timeout = timeout
        self.deadline = deadline
        self.max_body = max_body
        if verify is False or not verify:
            raise ValueError("TLS certificate verification cannot be turned off; pass a CA bundle path instead")
        self.verify = verify  # True, or a CA bundle path; never False
        self._local = threading.local()
        self.token: str | None = None
        # The whole Authorization header for adapters whose scheme is not a bearer token (RT's
        # basic auth or "token …"); when set it wins over `token`.
        self.authorization: str | None = None
        # Credentials in headers of the vendor's own (Chatwoot's `api_access_token`), sent with every
        # authenticated request beside the above.
        self.auth_headers: dict[str, str] = {}

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = "AgentDesktop/0.1"
            session.trust_env = False  # no proxy or .netrc surprises for a loopback or LAN server
            self._local.session = session
        return session

    def _headers(self, headers: dict[str, str] | None, auth: bool) -> dict[str, str]:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if auth and self.authorization:
            all_headers["Authorization"] = self.authorization
        elif auth and self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if auth:
            all_headers.update(self.auth_headers)
        return all_headers

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, auth: bool = True) -> requests.Response:
        all_headers = self._headers(headers, auth)
        started = time.monotonic()
        try:
            response = self._session().request(
                method, self.base_url + path, json=json_body, params=params, headers=all_headers,
                timeout=self.timeout, verify=self.verify, allow_redirects=False, stream=True,
            )
            self._read_body(response, started + self.deadline)
        except requests.exceptions.SSLError as exc:
            raise TlsError(
                "the server's TLS certificate could not be verified; ask your administrator "
                "for the right address or CA certificate") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # the last two from reading the streamed body: a read timeout, a connection reset
            raise NetworkError(f"cannot reach {self.base_url}: {type(exc).__name__}") from exc
        self._raise_for_status(response)
        return response

    def stream(self, method: str, path: str, *, data: Any = None, headers: dict[str, str] | None = None,
               params: dict[str, Any] | None = None, read_answer: bool = False) -> requests.Response:
        """A request for files: the body is sent as `data` (a file-like object with a length) gives
        it, never whole in memory; a good answer comes back unread, to be read with `read_chunks`
        and closed (`with response:`), or, with `read_answer` (an upload's small JSON answer), read
        within the usual caps as `request` does. An error answer is read and raised as `request`
        does. Sending the body and reading the file have only the read timeout (per chunk), not the
        overall deadline: a 25 MB file on a slow line takes its time, a silent server is still noticed."""
        try:
            response = self._session().request(
                method, self.base_url + path, data=data, params=params, headers=self._headers(headers, True),
                timeout=self.timeout, verify=self.verify, allow_redirects=False, stream=True,
            )
            if read_answer or response.status_code >= 300:
                self._read_body(response, time.monotonic() + self.deadline)
        except requests.exceptions.SSLError as exc:
            raise TlsError(
                "the server's TLS certificate could not be verified; ask your administrator "
                "for the right address or CA certificate") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise NetworkError(f"cannot reach {self.base_url}: {type(exc).__name__}") from exc
        self._raise_for_status(response)
        return response

    def read_chunks(self, response: requests.Response, chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
        """The streamed answer of `stream`, chunk by chunk; a cut connection is a NetworkError."""
        raw = response.raw
        raw.decode_content = True
        try:
            while chunk := raw.read1(chunk_bytes):
                yield chunk
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise NetworkError(f"the download from {self.base_url} was cut off: {type(exc).__name__}") from exc

    def _read_body(self, response: requests.Response, deadline: float) -> None:
        """Read the streamed answer within the deadline and the size cap (then `.content` works)."""
        raw = response.raw
        raw.decode_content = True
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = raw.read1(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_body:
                    raise MalformedResponse(f"the server's answer is larger than {self.max_body // (1024 * 1024)} MB; "
                                            "it was not read")
                if time.monotonic() > deadline:
                    raise NetworkError(f"the server's answer took longer than {self.deadline:g} s to arrive; "
                                       "trying again later")
                chunks.append(chunk)
        except BaseException:
            response.close()   # the rest is never read: drop the connection, not the session
            raise
        response._content = b"".join(chunks)   # what `.content`, `.text` and `.json()` read
        response._content_consumed = True

    def json(self, response: requests.Response) -> Any:
        """Parse a JSON answer; anything else (a captive portal's HTML) means we are not online."""
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            raise MalformedResponse(f"the server answered with {content_type or 'no content type'}, "
                                    "not JSON (a login page of a Wi-Fi portal?)")
        try:
            text = response.content.decode("utf-8", errors="replace")
            value = json.loads(text)
        except RecursionError as exc:  # '[[[[…' a hundred thousand deep: hostile, not data
            raise MalformedResponse("the server's answer is nested too deeply to be data") from exc
        except ValueError as exc:
            raise MalformedResponse("the server's answer was cut off or is not valid JSON") from exc
        # JSON may carry lone surrogates ("\\ud800"): they crash SQLite and text encoders, so they
        # become U+FFFD here, once, for every caller. Escaped pairs decode to real characters first.
        return _scrub(value) if _ESCAPED_SURROGATE.search(text) else value

    def _raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        message = _error_message(response)
        if status in (429, 503) or status >= 500:
            raise ServerBusy(f"the server is busy ({status}): {message}",
                             parse_retry_after(response.headers.get("Retry-After")))
        if status == 401:
            raise AuthRequired("please sign in again")
        if status == 410:
            raise CursorExpired(message)
        if status == 412:
            current = None
            try:
                body = response.json()
                current = body.get("current") if isinstance(body, dict) else None
            except ValueError:
                pass
            raise VersionConflict(message, current if isinstance(current, dict) else None)
        if status == 403:
            raise PermissionDenied(message)
        if 300 <= status < 400:
            raise MalformedResponse(f"the server redirected ({status}); check the server address")
        raise Rejected(message, status)
