"""Every entity of the change feed and its parser, listed once (the server's contract tests and
the bench validate a whole feed with it; the client's store is given its features' entities)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import care
from .knowledge import parse_faq_article, parse_script
from .records import PARSERS as CORE_PARSERS
from .sla_policy import parse_sla_policy

PARSERS: dict[str, Callable[[str, Any], Any]] = {
    **CORE_PARSERS,
    "callback": care.parse_callback,
    "order": care.parse_order,
    "disposition": care.parse_disposition,
    "sla_policy": parse_sla_policy,
    "csat": care.parse_csat,
    "customer_note": care.parse_customer_note,
    "offer": care.parse_offer,
    "agent_status": care.parse_agent_status,
    "script": parse_script,
    "faq_article": parse_faq_article,
}
