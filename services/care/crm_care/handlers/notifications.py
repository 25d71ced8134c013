"""Staff notifications: who is responsible for what is urgent, one notification each, and its message.

Staff messages are not customer marketing: no consent, cap or quiet hours apply; an urgent case at
night is exactly what a user who chose WeChat Work wants to hear about.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.channels.senders import DeliveryFailed, EmailSender
from crm_care.channels.wecom import WecomSender
from crm_care.domain import policy
from crm_care.models.notifications import KINDS, NotificationSettingsPut, notification_settings
from crm_care.repository import notifications as store
from crm_care.repository import versions
from crm_contracts.events.survey import HotAlertRaised
from crm_kit.db import Sessions
from crm_kit.problems import field_error, invalid
from crm_kit.versioning import UNSTORED, check_if_match, precondition_failed

HEADLINES = {"hot_alert": "新的热点警报", "case_sla": "投诉处理即将超时", "task_overdue": "任务已逾期"}


@dataclass
class StaffChannels:
    email: EmailSender
    wecom: WecomSender
    console_base_url: str
    max_attempts: int = 6
    retry_base_seconds: float = 30


def defaults(dealer_id: str) -> dict:
    return {"dealer_id": dealer_id, "channel": "none", "address": None, "kinds": list(KINDS), "updated_at": None,
            "version": UNSTORED}


async def settings_for(session: AsyncSession, user_id: str, dealer_id: str) -> dict:
    row = await store.settings_of(session, user_id, dealer_id)
    return dict(row._mapping) if row else defaults(dealer_id)


async def choose(session: AsyncSession, user_id: str, dealer_id: str, data: NotificationSettingsPut,
                 if_match: str | None) -> dict:
    """If-Match names the ETag GET showed: `"0"` (or `*`) while never saved. A save from a second tab or
    device made meanwhile is a 412, not silently overwritten."""
    address = data.address
    if data.channel == "email":
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise invalid(field_error("body", "address", str(error))) from None
    key = store.settings_key(user_id, dealer_id)
    read_version = await versions.current(session, notification_settings, key)
    check_if_match(if_match, read_version)
    row = await store.save_settings(session, key, {"channel": data.channel, "address": address,
                                                   "kinds": data.kinds, "updated_at": datetime.now(UTC)},
                                    read_version)
    if row is None:
        raise precondition_failed(read_version + 1)
    return dict(row._mapping)


async def notify(session: AsyncSession, user_id: str, *, dealer_id: str, kind: str, subject_id: uuid.UUID,
                 customer_id: uuid.UUID | None, summary: str, now: datetime) -> bool:
    """Once per user and subject; a message goes out when the user chose a channel and this kind."""
    chosen = await store.settings_of(session, user_id, dealer_id)
    sends = chosen is not None and chosen.channel != "none" and kind in chosen.kinds
    return await store.add(session, {
        "id": uuid.uuid4(), "user_id": user_id, "dealer_id": dealer_id, "kind": kind, "subject_id": subject_id,
        "customer_id": customer_id, "summary": summary, "created_at": now,
        "delivery": "queued" if sends else "none", "channel": chosen.channel if sends else None,
        "address": chosen.address if sends else None, "next_attempt_at": now if sends else None})


async def responsible(session: AsyncSession, dealer_id: str, kind: str, assignee: str | None) -> list[str]:
    """The one the work is assigned to; nobody assigned: whoever at the dealer asked to hear of this kind."""
    if assignee:
        return [assignee]
    return [row.user_id for row in await store.subscribers(session, dealer_id, kind)]


async def hot_alert_raised(session: AsyncSession, event: HotAlertRaised) -> None:
    summary = f"{event.survey_kind.upper()} {event.question_text}: {event.score:g}"
    if event.comment:
        summary += f" — {event.comment}"
    now = datetime.now(UTC)
    for user_id in await responsible(session, event.dealer_id, "hot_alert", None):
        await notify(session, user_id, dealer_id=event.dealer_id, kind="hot_alert", subject_id=event.alert_id,
                     customer_id=event.customer_id, summary=summary, now=now)


async def watch_sla(session: AsyncSession, now: datetime) -> int:
    """Tasks gone overdue and cases near their first-contact SLA; a second pass adds nothing."""
    made = 0
    for task in await store.tasks_gone_overdue(session, now):
        for user_id in await responsible(session, task.dealer_id, "task_overdue", task.assignee):
            made += await notify(session, user_id, dealer_id=task.dealer_id, kind="task_overdue",
                                 subject_id=task.id, customer_id=task.customer_id,
                                 summary=f"{task.reason} · SLA {task.sla_at:%Y-%m-%d %H:%M} UTC", now=now)
    for case in await store.cases_near_sla(session, now):
        for user_id in await responsible(session, case.dealer_id, "case_sla", case.assignee):
            made += await notify(session, user_id, dealer_id=case.dealer_id, kind="case_sla", subject_id=case.id,
                                 customer_id=case.customer_id, now=now,
                                 summary=f"{case.summary} · SLA {case.first_contact_due:%Y-%m-%d %H:%M} UTC")
    return made


def link(channels: StaffChannels, row: sa.Row) -> str:
    """The console marks it read there and goes on to the task, the case or the alert's case."""
    return f"{channels.console_base_url.rstrip('/')}/notifications/{row.id}/open"


async def send_next(sessions: Sessions, channels: StaffChannels, now: datetime) -> bool:
    """Send one queued staff message; False when none is due."""
    async with sessions() as session, session.begin():
        row = await store.claim_queued(session, now)
        if row is None:
            return False
        headline = HEADLINES[row.kind]
        text = f"{headline}\n{row.summary}\n{link(channels, row)}"
        try:
            if row.channel == "email":
                provider_id = await channels.email.send(row.address, f"[CRM] {headline}", text)
            else:
                provider_id = await channels.wecom.send(row.address, text)
        except DeliveryFailed as error:
            attempts = row.attempts + 1
            retry = attempts < channels.max_attempts
            await store.settle(session, row.id, attempts=attempts, last_error=str(error)[:2000],
                               delivery="queued" if retry else "dead",
                               next_attempt_at=now + policy.retry_delay(attempts, channels.retry_base_seconds))
            return True
        await store.settle(session, row.id, delivery="sent", provider_id=provider_id, sent_at=now,
                           attempts=row.attempts + 1, last_error=None)
    return True
