"""The task queue and complaint cases: which tab asks for what, the SLA clock as a person reads it, and
which moves a case's state allows (care decides; the console only offers what care would accept)."""

from datetime import datetime

TABS = ("mine", "unassigned", "overdue")
# Care's outcomes (crm_contracts TaskOutcome), in the order a caller meets them on the phone.
OUTCOMES = ("reached", "no_answer", "wrong_number", "appointment_booked", "declined", "complaint")
# Care's CASE_MOVES, restated: a button care would answer 409 to is not shown.
CASE_MOVES = {"open": ("start", "resolve", "escalate"), "in_progress": ("resolve", "escalate"),
              "resolved": ("close", "reopen"), "closed": ()}
CASE_STATES = ("open", "in_progress", "resolved", "closed")


def _at(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def tab_query(tab: str, username: str, queues: list[str]) -> dict:
    """The care API filters for a tab. Care has no 'unassigned' filter: that tab reads the role's queue and
    leaves out the taken tasks (`unassigned`)."""
    if tab == "mine":
        return {"assignee": username}
    if tab == "overdue":
        return {"overdue": "true", "role": queues[0] if len(queues) == 1 else None}
    return {"role": queues[0] if len(queues) == 1 else None}


def unassigned(tasks: list[dict]) -> list[dict]:
    return [t for t in tasks if not t.get("assignee")]


def sla_clock(sla_at: str | datetime, now: datetime) -> tuple[str, dict]:
    """剩余 3小时 / 已逾期 2天: the message key and its count, in the largest whole unit (minutes under an hour,
    hours under two days, else days)."""
    left = (_at(sla_at) - now).total_seconds()
    late = left < 0
    seconds = abs(left)
    if seconds < 3600:
        unit, n = "minutes", max(1, int(seconds // 60))
    elif seconds < 48 * 3600:
        unit, n = "hours", int(seconds // 3600)
    else:
        unit, n = "days", int(seconds // 86400)
    return (f"tasks.sla.{'late' if late else 'left'}_{unit}", {"n": n})


def case_moves(state: str) -> tuple[str, ...]:
    return CASE_MOVES.get(state, ())


def case_timeline(case: dict) -> list[tuple[str, str]]:
    """What happened to a case, oldest first, from the moments on the case itself: the page's timeline when
    care's action log (GET /cases/{id}/actions) does not answer."""
    steps = [("opened", case.get("opened_at")), ("first_contacted", case.get("first_contacted_at")),
             ("resolved", case.get("resolved_at")), ("closed", case.get("closed_at"))]
    return sorted(((step, at) for step, at in steps if at), key=lambda s: _at(s[1]))
