"""Why an action is greyed out: the backend lacks its capability, said in the agent's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..services.capabilities import Capability

# Which capability each workflow button of the conversation needs.
BUTTON_NEEDS = {"transfer": Capability.HANDOFF, "escalate": Capability.HANDOFF,
                "callback": Capability.CALLBACKS, "csat": Capability.CSAT}


def unsupported_reason(capability: Capability) -> str:
    def tr(text: str) -> str:
        return QCoreApplication.translate("Capability", text)

    reasons = {
        Capability.HANDOFF: tr("This server does not support transfers or escalations."),
        Capability.CALLBACKS: tr("This server does not support callbacks."),
        Capability.CSAT: tr("This server does not support recording CSAT scores."),
        Capability.CUSTOMERS: tr("This server does not support customer notes, tags or linking callers."),
        Capability.AGENT_STATE: tr("This server does not keep agent states: yours is kept on this computer."),
        Capability.OFFERS: tr("This server does not offer contacts to agents."),
        Capability.PRESENCE: tr("This server does not tell who else is viewing a conversation."),
        Capability.SCRIPTS: tr("This server does not store personal scripts."),
        Capability.KNOWLEDGE_FEEDBACK: tr("This server does not collect FAQ feedback."),
        Capability.STATS: tr("This server has no live queue statistics: figures come from this computer's copy."),
        Capability.LEAD_ACTIONS: tr("This server does not let a lead reassign work or move agents."),
    }
    return reasons.get(capability, tr("This server does not support this."))
