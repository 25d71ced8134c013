"""Complaint cases (投诉处理) and staff tasks: states, allowed moves, SLA clocks."""

from datetime import datetime, timedelta

CASE_MOVES = {
    "open": {"start": "in_progress", "resolve": "resolved", "escalate": "open"},
    "in_progress": {"resolve": "resolved", "escalate": "in_progress"},
    "resolved": {"close": "closed", "reopen": "in_progress"},
    "closed": {},
}
TASK_OUTCOMES = ("reached", "no_answer", "wrong_number", "appointment_booked", "declined", "complaint")
PRIORITY_SLA_HOURS = {"urgent": 1, "high": 24, "normal": 72, "low": 168}
RESCUE_MOVES = {
    "requested": {"dispatched", "cancelled"},
    "dispatched": {"arrived", "cancelled"},
    "arrived": {"completed"},
    "completed": set(),
    "cancelled": set(),
}


class MoveRefused(ValueError):
    pass


def next_case_state(state: str, action: str, resolution_confirmed: bool = False) -> str:
    """Closing needs the customer's confirmation of the resolution (the hot-alert rule)."""
    allowed = CASE_MOVES.get(state, {})
    if action not in allowed:
        raise MoveRefused(f"a {state} case cannot {action}")
    if action == "close" and not resolution_confirmed:
        raise MoveRefused("closing needs the resolution confirmed by the customer")
    return allowed[action]


def first_contact_due(opened_at: datetime, hours: int = 24) -> datetime:
    return opened_at + timedelta(hours=hours)


def task_sla(created_at: datetime, priority: str) -> datetime:
    return created_at + timedelta(hours=PRIORITY_SLA_HOURS[priority])


def next_rescue_state(state: str, wanted: str) -> str:
    if wanted not in RESCUE_MOVES.get(state, set()):
        raise MoveRefused(f"a {state} rescue cannot become {wanted}")
    return wanted
