"""What the profiles dialog says about a connection test, a kind of server, a refused profile:
every sentence in both languages, each saying what to do next."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..services.connection_check import Verdict, VerdictCode
from ..services.profiles import KindInfo

# The registry's English labels (backends/registry.py), listed here so lupdate finds them.
KIND_LABELS = (QT_TRANSLATE_NOOP("BackendKind", "Agent Desktop server"),
               QT_TRANSLATE_NOOP("BackendKind", "Request Tracker 5"),
               QT_TRANSLATE_NOOP("BackendKind", "Chatwoot"),
               QT_TRANSLATE_NOOP("BackendKind", "Zendesk"),
               QT_TRANSLATE_NOOP("BackendKind", "Zammad"))


def kind_label(kind: KindInfo) -> str:
    return QCoreApplication.translate("BackendKind", kind.label)


def kind_hint(kind_name: str) -> str:
    """What to type for this kind of server, and where its token is found."""
    return {
        "reference": QCoreApplication.translate("ConnectionText", "Your Agent Desktop server's address, your user name and password."),
        "rt": QCoreApplication.translate("ConnectionText", "RT's address. A token: in RT, Logged in as ▸ Settings ▸ Auth Tokens ▸ Create."),
        "chatwoot": QCoreApplication.translate("ConnectionText", "The address as your browser shows it, with /app/accounts/N. User: your e-mail. Token: "
                       "in Chatwoot, Profile settings ▸ Access Token."),
        "zendesk": QCoreApplication.translate("ConnectionText", "https://yourcompany.zendesk.com. User: your agent e-mail. Token: Admin Center ▸ Apps and "
                      "integrations ▸ Zendesk API ▸ token access."),
        "zammad": QCoreApplication.translate("ConnectionText", "Zammad's address. A token: in Zammad, Profile ▸ Token Access ▸ Create, with the "
                     "permission ticket.agent."),
    }.get(kind_name, "")


def secret_label(secret_kind: str) -> str:
    """The secret field's caption, with its mnemonic."""
    return QCoreApplication.translate("ConnectionText", "API to&ken") if secret_kind == "token" else QCoreApplication.translate("ConnectionText", "&Password")


def secret_kind_label(secret_kind: str) -> str:
    return QCoreApplication.translate("ConnectionText", "API token") if secret_kind == "token" else QCoreApplication.translate("ConnectionText", "Password")


def verdict_text(verdict: Verdict, kind: KindInfo, secret_kind: str) -> str:
    code = verdict.code
    if code == VerdictCode.OK:
        return QCoreApplication.translate("ConnectionText", "Connected: signed in as %1.").replace("%1", verdict.agent_name)
    if code == VerdictCode.BAD_ADDRESS:
        return QCoreApplication.translate("ConnectionText", "No server answers at this address. Check the address (it starts with https://) and "
                   "your network, then test again.")
    if code == VerdictCode.TLS:
        return QCoreApplication.translate("ConnectionText", "The server's security certificate could not be verified. Check the address, or ask "
                   "your administrator for the right one or for your company's CA certificate.")
    if code == VerdictCode.BAD_CREDENTIALS:
        if secret_kind == "token":
            return QCoreApplication.translate("ConnectionText", "The server refused this user name or API token. Check them, or create a new token "
                       "in your helpdesk's settings, then test again.")
        return QCoreApplication.translate("ConnectionText", "The server refused this user name or password. Check them (is Caps Lock on?) and "
                   "test again.")
    if code == VerdictCode.NO_PERMISSION:
        return QCoreApplication.translate("ConnectionText", "Signed in, but this account may not use the API. Ask your helpdesk administrator "
                   "for API access.")
    if code == VerdictCode.UNSUPPORTED:
        return QCoreApplication.translate("ConnectionText", "Something answers at this address, but not a server of the type “%1”. Check the "
                   "server type, and give the helpdesk's own address, not a web page.").replace(
            "%1", kind_label(kind))
    if code == VerdictCode.BUSY:
        return QCoreApplication.translate("ConnectionText", "The server is busy right now. Wait a minute, then test again.")
    return QCoreApplication.translate("ConnectionText", "The connection test failed for another reason. Try again; if it keeps failing, the log "
               "(Diagnostics) has the details for your administrator.")


def profile_error_text(code: str) -> str:
    """Why the store refused a profile (services.profiles.ProfileError.code)."""
    return {
        "no_name": QCoreApplication.translate("ConnectionText", "Give the profile a name."),
        "no_user": QCoreApplication.translate("ConnectionText", "Enter your user name."),
        "duplicate_name": QCoreApplication.translate("ConnectionText", "Another profile has this name already: choose another name."),
        "duplicate_account": QCoreApplication.translate("ConnectionText", "Another profile is this account already (same server type, address "
                                 "and user name)."),
        "bad_address": QCoreApplication.translate("ConnectionText", "This address cannot be used: give one starting with https:// (plain http only "
                           "to this computer), without a user name or password in it."),
    }.get(code, QCoreApplication.translate("ConnectionText", "This profile cannot be saved as it is: check the server type and the sign-in method."))
