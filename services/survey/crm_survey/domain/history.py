"""Survey results a dealer brings from its previous survey vendor: what makes one acceptable, and the keys
that make bringing the same file twice change nothing.

A past response is stored as an answered invitation with its response, so every report reads it as it
reads a live answer. It raises no hot alert: the vendor's alerts were handled there, and an alert today
would open a complaint case about something long past.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

HISTORY_NAMESPACE = uuid.UUID("0b6f8a52-6d0e-4f3b-9a57-3c1d2e4f5a60")


@dataclass(frozen=True)
class PastResponseDates:
    answered_at: datetime
    sent_at: datetime | None


def invitation_key(dealer_id: str, external_id: str) -> uuid.UUID:
    """The vendor's response number is unique within the dealer: the same number is the same response."""
    return uuid.uuid5(HISTORY_NAMESPACE, f"{dealer_id}\x1f{external_id}")


def response_key(invitation_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(invitation_id, "response")


def date_errors(dates: PastResponseDates, now: datetime) -> list[tuple[str, str]]:
    """(field, detail) for each date that cannot be a past answer."""
    errors = []
    if dates.answered_at.tzinfo is None:
        errors.append(("answered_at", "needs a UTC offset, e.g. 2026-05-04T10:30:00+08:00"))
    elif dates.answered_at > now:
        errors.append(("answered_at", "is in the future; only answers already given can be imported"))
    if dates.sent_at is not None:
        if dates.sent_at.tzinfo is None:
            errors.append(("sent_at", "needs a UTC offset, e.g. 2026-05-01T10:00:00+08:00"))
        elif dates.answered_at.tzinfo is not None and dates.sent_at > dates.answered_at:
            errors.append(("sent_at", "is after answered_at: a survey is sent before it is answered"))
    return errors


def duplicate_positions(external_ids: list[str]) -> list[int]:
    """Positions whose vendor number already came earlier in the same request."""
    seen: set[str] = set()
    repeated = []
    for position, external_id in enumerate(external_ids):
        if external_id in seen:
            repeated.append(position)
        seen.add(external_id)
    return repeated
