"""Why an action is greyed out: the backend lacks its capability, said in the agent's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..services.capabilities import Capability

# Which capability each workflow button of the conversation needs.
BUTTON_NEEDS = {"transfer": Capability.HANDOFF, "escalate": Capability.HANDOFF,
                "callback": Capability.CALLBACKS, "csat": Capability.CSAT}


def unsupported_reason(capability: Capability, kind: str = "") -> str:
    """Why `capability` is greyed out; where the vendor (`kind`, the registry's name) has its own way
    of doing it, the sentence says where to do it instead."""
    # Spelled out (not a local `tr`) so lupdate files every sentence under the context used here.
    vendor = {
        ("rt", Capability.CALLBACKS): QCoreApplication.translate("Capability", "Request Tracker keeps no callbacks this app can schedule: add a reminder "
                                         "to the ticket in RT's web interface."),
        ("rt", Capability.CSAT): QCoreApplication.translate("Capability", "Request Tracker has no satisfaction scores."),
        ("rt", Capability.CUSTOMERS): QCoreApplication.translate("Capability", "Request Tracker keeps its users itself: edit the customer in RT's web "
                                         "interface."),
        ("chatwoot", Capability.CALLBACKS): QCoreApplication.translate("Capability", "Chatwoot has no scheduled callbacks: snooze the conversation until "
                                               "the time to call back."),
        ("chatwoot", Capability.CSAT): QCoreApplication.translate("Capability", "In Chatwoot the customer gives the CSAT score in its survey; an agent "
                                          "cannot record one."),
        ("chatwoot", Capability.CUSTOMERS): QCoreApplication.translate("Capability", "Customer notes and tags are edited on the contact's page in "
                                               "Chatwoot."),
        ("zendesk", Capability.CALLBACKS): QCoreApplication.translate("Capability", "Zendesk has no scheduled callbacks: put the ticket on hold and note "
                                              "when to call back."),
        ("zendesk", Capability.CSAT): QCoreApplication.translate("Capability", "In Zendesk only the requester gives a satisfaction rating; an agent cannot "
                                         "record one."),
        ("zendesk", Capability.CUSTOMERS): QCoreApplication.translate("Capability", "Customer notes and tags are edited on the user's page in Zendesk."),
        ("zammad", Capability.CALLBACKS): QCoreApplication.translate("Capability", "Zammad has no scheduled callbacks: set the ticket to “pending reminder” "
                                             "at the time to call back."),
        ("zammad", Capability.CSAT): QCoreApplication.translate("Capability", "Zammad has no satisfaction scores."),
        ("zammad", Capability.CUSTOMERS): QCoreApplication.translate("Capability", "Customer notes and tags are edited on the customer's page in Zammad."),
    }.get((kind, capability))
    if vendor is not None:
        return vendor

    reasons = {
        Capability.HANDOFF: QCoreApplication.translate("Capability", "This server does not support transfers or escalations."),
        Capability.CALLBACKS: QCoreApplication.translate("Capability", "This server does not support callbacks."),
        Capability.CSAT: QCoreApplication.translate("Capability", "This server does not support recording CSAT scores."),
        Capability.CUSTOMERS: QCoreApplication.translate("Capability", "This server does not support customer notes, tags or linking callers."),
        Capability.AGENT_STATE: QCoreApplication.translate("Capability", "This server does not keep agent states: yours is kept on this computer."),
        Capability.OFFERS: QCoreApplication.translate("Capability", "This server does not offer contacts to agents."),
        Capability.PRESENCE: QCoreApplication.translate("Capability", "This server does not tell who else is viewing a conversation."),
        Capability.SCRIPTS: QCoreApplication.translate("Capability", "This server does not store personal scripts."),
        Capability.KNOWLEDGE_FEEDBACK: QCoreApplication.translate("Capability", "This server does not collect FAQ feedback."),
        Capability.STATS: QCoreApplication.translate("Capability", "This server has no live queue statistics: figures come from this computer's copy."),
        Capability.ATTACHMENTS: QCoreApplication.translate("Capability", "This server does not take attachments: send the file another way."),
        Capability.LEAD_ACTIONS: QCoreApplication.translate("Capability", "This server does not let a lead reassign work or move agents."),
    }
    return reasons.get(capability, QCoreApplication.translate("Capability", "This server does not support this."))
