"""Administration rules the screens share: which roles a dealer hands out, how event types are grouped for a
partner to choose from, and what a webhook delivery's state means to the person reading its log."""

from collections.abc import Iterable
from datetime import datetime

# Roles a dealer administrator may hand out; network roles (carmaker, system) are the gateway's to refuse.
DEALER_ROLES = ("cs_information_manager", "cs_planner", "cr_activity_owner", "cs_survey_training_owner",
                "advisor", "dealer_admin")

# Permissions as a dealer reads them: the customer record first, personal data, analysis, surveys, care, running it.
PERMISSION_ORDER = ("customers:read", "customers:write", "customers:merge", "customers:erase", "customers:export",
                    "pii:read", "pii:audit", "profiles:read", "segments:write", "scoring:run", "kpis:read",
                    "network:read", "surveys:read", "surveys:manage", "care:read", "care:work", "care:manage",
                    "rescue:request", "webhooks:manage", "admin")


def in_reading_order(permissions: Iterable[str]) -> list[str]:
    """An unknown permission (newer than this console) goes last rather than disappearing."""
    rank = {permission: i for i, permission in enumerate(PERMISSION_ORDER)}
    return sorted(permissions, key=lambda permission: (rank.get(permission, len(rank)), permission))


# The order a dealer thinks in: the customer and their car first, then the work done for them.
EVENT_GROUPS = ("customer", "vehicle", "visit", "odometer", "first_service", "lead", "consent", "survey", "care",
                "complaint", "rescue", "segment")


def event_group(event_type: str) -> str:
    """`crm.survey.hot_alert.raised.v1` -> `survey`."""
    parts = event_type.split(".")
    return parts[1] if len(parts) > 2 else event_type


def grouped_event_types(event_types: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Event types by group, groups in the dealer's order (an unknown group last), types sorted within."""
    groups: dict[str, list[str]] = {}
    for event_type in sorted(event_types):
        groups.setdefault(event_group(event_type), []).append(event_type)
    rank = {group: i for i, group in enumerate(EVENT_GROUPS)}
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def delivery_state(delivery: dict) -> str:
    """queued (not tried yet), retrying (tried, will be tried again), delivered, failed (given up)."""
    if delivery["status"] == "pending":
        return "retrying" if delivery["attempts"] else "queued"
    return delivery["status"]


def replayable(delivery: dict) -> bool:
    """A delivery still queued or held goes out anyway; one delivered or given up on may be sent again."""
    return delivery["status"] in ("delivered", "failed")


def parse_moment(value: str) -> datetime | None:
    """A time handed back by a form; one without its zone is not a moment."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None

