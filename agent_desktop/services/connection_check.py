""""Test connection": sign in once with what the user typed and say, in one word, what happened.

Blocking (it talks to the server): the UI runs it off the GUI thread. The verdict never carries
the secret: its detail is the adapter's own sentence (BackendError texts hold no secrets) or an
exception's type name, and the secret is scrubbed from it all the same."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from ..backends import registry
from ..backends.base import (
    AuthRequired,
    BackendError,
    MalformedResponse,
    NetworkError,
    PermissionDenied,
    Rejected,
    ServerBusy,
    TlsError,
    UnsupportedVersion,
)

log = logging.getLogger(__name__)


class VerdictCode(StrEnum):
    OK = "ok"
    BAD_ADDRESS = "bad_address"          # not a usable address, no such host, nothing listening
    TLS = "tls"                          # the certificate could not be verified
    BAD_CREDENTIALS = "bad_credentials"  # user name, password or token refused
    NO_PERMISSION = "no_permission"      # signed in, but this account may not use the API
    UNSUPPORTED = "unsupported"          # something answered, but not this kind of server (a web page)
    BUSY = "busy"                        # the server is overloaded or throttling sign-ins
    OTHER = "other"


@dataclass(frozen=True)
class Verdict:
    code: VerdictCode
    agent_name: str = ""     # who signed in (ok only)
    detail: str = ""         # English, for the log and a tooltip; never the secret

    @property
    def ok(self) -> bool:
        return self.code == VerdictCode.OK


def check_connection(kind: str, url: str, user: str, secret: str) -> Verdict:
    """Build the backend for `kind` at `url` and sign in as `user`. Blocking."""
    verdict = _check(kind, url.strip(), user.strip(), secret)
    if secret and secret in verdict.detail:
        verdict = Verdict(verdict.code, verdict.agent_name, verdict.detail.replace(secret, "…"))
    log.info("connection check (%s): %s %s", kind, verdict.code, verdict.detail)
    return verdict


def _check(kind: str, url: str, user: str, secret: str) -> Verdict:
    try:
        backend = registry.make_backend(url, kind)
    except registry.UnknownBackendKind as exc:
        return Verdict(VerdictCode.OTHER, detail=str(exc))
    except ValueError as exc:   # check_url: not http(s), credentials in it, plain http to another machine
        return Verdict(VerdictCode.BAD_ADDRESS, detail=str(exc))
    if not (user and secret):
        return Verdict(VerdictCode.BAD_CREDENTIALS, detail="no user name or secret given")
    try:
        signed = backend.sign_in(user, secret)
    except TlsError as exc:
        return Verdict(VerdictCode.TLS, detail=str(exc))
    except NetworkError as exc:
        return Verdict(VerdictCode.BAD_ADDRESS, detail=str(exc))
    except AuthRequired as exc:
        return Verdict(VerdictCode.BAD_CREDENTIALS, detail=str(exc))
    except PermissionDenied as exc:
        return Verdict(VerdictCode.NO_PERMISSION, detail=str(exc))
    except (UnsupportedVersion, MalformedResponse) as exc:
        return Verdict(VerdictCode.UNSUPPORTED, detail=str(exc))
    except Rejected as exc:
        # 404/405: no sign-in where this kind of server has one: the address is some other site.
        code = VerdictCode.UNSUPPORTED if exc.status in (404, 405) else VerdictCode.OTHER
        return Verdict(code, detail=str(exc))
    except ServerBusy as exc:
        return Verdict(VerdictCode.BUSY, detail=str(exc))
    except BackendError as exc:
        return Verdict(VerdictCode.OTHER, detail=str(exc))
    except Exception as exc:  # an adapter's bug must not take the dialog down; its text may hold anything
        log.warning("connection check: unexpected %s from the %s adapter", type(exc).__name__, kind)
        return Verdict(VerdictCode.OTHER, detail=type(exc).__name__)
    agent = signed.agent
    return Verdict(VerdictCode.OK, agent_name=str(agent.get("name") or agent.get("username") or user))
