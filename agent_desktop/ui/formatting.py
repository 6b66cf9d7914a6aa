"""Times, countdowns and labels as the user reads them, translated."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QTimeZone

from ..domain.sla import format_countdown
from ..domain.timeutil import parse_iso


def unknown_customer() -> str:
    return QCoreApplication.translate("Formatting", "Unknown customer")


def channel_label(channel: str) -> str:
    return {
        "phone": QCoreApplication.translate("Formatting", "Phone"),
        "chat": QCoreApplication.translate("Formatting", "Chat"),
        "email": QCoreApplication.translate("Formatting", "E-mail"),
        "web": QCoreApplication.translate("Formatting", "Web form"),
        "social": QCoreApplication.translate("Formatting", "Social"),
    }.get(channel, channel)


def status_label(status: str) -> str:
    return {
        "new": QCoreApplication.translate("Formatting", "New"),
        "open": QCoreApplication.translate("Formatting", "Open"),
        "pending": QCoreApplication.translate("Formatting", "Pending"),
        "resolved": QCoreApplication.translate("Formatting", "Resolved"),
        "closed": QCoreApplication.translate("Formatting", "Closed"),
    }.get(status, status)


def priority_label(priority: str) -> str:
    return {
        "low": QCoreApplication.translate("Formatting", "Low"),
        "normal": QCoreApplication.translate("Formatting", "Normal"),
        "high": QCoreApplication.translate("Formatting", "High"),
        "urgent": QCoreApplication.translate("Formatting", "Urgent"),
    }.get(priority, priority)


def tier_label(tier: str | None) -> str:
    return {
        "vip": QCoreApplication.translate("Formatting", "VIP"),
        "key_account": QCoreApplication.translate("Formatting", "Key account"),
        "standard": QCoreApplication.translate("Formatting", "Standard"),
    }.get(tier or "", "")


def seconds_until(iso: str | None, now: datetime) -> float | None:
    if not iso or iso.startswith("9999"):
        return None
    try:
        return (parse_iso(iso) - now).total_seconds()
    except ValueError:
        return None


def duration(seconds: float) -> str:
    """`04:12` under an hour, then `2h 05m`, then `3d 4h`, in the interface language."""
    seconds = int(abs(seconds))
    if seconds < 3600:
        return format_countdown(seconds)
    if seconds < 86400:
        return (QCoreApplication.translate("Formatting", "%1h %2m")
                .replace("%1", str(seconds // 3600)).replace("%2", f"{seconds % 3600 // 60:02d}"))
    return (QCoreApplication.translate("Formatting", "%1d %2h")
            .replace("%1", str(seconds // 86400)).replace("%2", str(seconds % 86400 // 3600)))


def countdown(seconds: float) -> str:
    if seconds < 0:
        return QCoreApplication.translate("Formatting", "%1 over").replace("%1", duration(-seconds))
    return duration(seconds)


def age(seconds: float) -> str:
    """How long something has waited: 45s, 12m, 3h, 2d."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("Formatting", "%1s").replace("%1", str(seconds))
    if seconds < 3600:
        return QCoreApplication.translate("Formatting", "%1m").replace("%1", str(seconds // 60))
    if seconds < 86400:
        return QCoreApplication.translate("Formatting", "%1h").replace("%1", str(seconds // 3600))
    return QCoreApplication.translate("Formatting", "%1d").replace("%1", str(seconds // 86400))


def local_time(iso: str | None, *, with_date: bool = True) -> str:
    """A timestamp in the user's time zone and locale format."""
    if not iso:
        return ""
    try:
        moment = parse_iso(iso)
    except ValueError:
        return ""
    qt = QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000), QTimeZone.systemTimeZone())
    locale = QLocale()
    if not with_date:
        return locale.toString(qt.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(qt, QLocale.FormatType.ShortFormat)


def ago(iso: str | None, now: datetime) -> str:
    if not iso:
        return QCoreApplication.translate("Formatting", "never")
    left = seconds_until(iso, now)
    if left is None:
        return ""
    return QCoreApplication.translate("Formatting", "%1 ago").replace("%1", age(-left))


def weekdays(days: frozenset[int] | set[int]) -> str:
    """Mon–Sat / 周一至周六, or a list when the days are not one run."""
    locale = QLocale()
    # Qt numbers days 1 (Monday) … 7; ours are 0 … 6.
    name = lambda day: locale.dayName(day + 1, QLocale.FormatType.ShortFormat)  # noqa: E731
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return QCoreApplication.translate("Formatting", "%1–%2").replace("%1", name(ordered[0])).replace(
            "%2", name(ordered[-1]))
    return ", ".join(name(day) for day in ordered)
