"""Agent Desktop: an offline-first workstation for customer-service agents and team leads."""

__version__ = "0.1.0"
