"""Contracts shared by every CRM service: the event envelope, payloads, topics and permissions."""

from crm_contracts import events, topics
from crm_contracts.envelope import Envelope
from crm_contracts.registry import REGISTRY, EventType, Payload, new_event, parse_payload

__all__ = ["REGISTRY", "Envelope", "EventType", "Payload", "events", "new_event", "parse_payload", "topics"]
