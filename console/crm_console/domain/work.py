"""Today's work on the home page: which tasks are overdue or due, which complaint cases near their SLA."""

from dataclasses import dataclass
from datetime import datetime, timedelta

# The care service's task queues, by the staff role that works each (crm_care's scheduler assigns them).
QUEUE_OF_ROLE = {"cr_activity_owner": "cr_activity", "cs_survey_training_owner": "cs_survey",
                 "advisor": "service_advisor"}
CASE_SLA_WARNING = timedelta(hours=24)  # a case whose first contact is due within a day is shown


def queues_of(roles: list[str] | set[str]) -> list[str]:
    return sorted({QUEUE_OF_ROLE[role] for role in roles if role in QUEUE_OF_ROLE})


@dataclass(frozen=True)
class TodaysTasks:
    overdue: list[dict]
    due_today: list[dict]


def _at(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def todays_tasks(tasks: list[dict], now: datetime, end_of_today: datetime) -> TodaysTasks:
    """Open tasks past their SLA are overdue; the others due before the day ends are due today.

    The same task can come from two lists (assigned to me, and my queue): it is shown once."""
    seen: dict[str, dict] = {}
    for task in tasks:
        if task.get("status", "open") == "open":
            seen.setdefault(str(task["id"]), task)
    ordered = sorted(seen.values(), key=lambda t: _at(t["due_at"]))
    overdue = [t for t in ordered if _at(t["sla_at"]) < now]
    due = [t for t in ordered if _at(t["sla_at"]) >= now and _at(t["due_at"]) <= end_of_today]
    return TodaysTasks(overdue=overdue, due_today=due)


def cases_near_sla(cases: list[dict], now: datetime) -> list[dict]:
    """Open cases not yet contacted whose first contact is due within a day, or already late; latest last."""
    near = [c for c in cases if c.get("state") in ("open", "in_progress") and not c.get("first_contacted_at")
            and _at(c["first_contact_due"]) <= now + CASE_SLA_WARNING]
    return sorted(near, key=lambda c: _at(c["first_contact_due"]))
