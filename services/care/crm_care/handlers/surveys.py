"""Survey events: invitations to deliver, hot alerts that become complaint cases."""

import uuid
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain import cases as case_rules
from crm_care.domain.plans import Occasion
from crm_care.handlers import notifications
from crm_care.handlers.common import create_task, stage_event
from crm_care.repository import work
from crm_contracts.events.care import ComplaintOpened
from crm_contracts.events.survey import HotAlertRaised, SurveyInvitationCreated


async def invitation_created(session: AsyncSession, event: SurveyInvitationCreated) -> None:
    """The survey link goes out at `send_at` on a consented channel; it counts towards the cap."""
    occasion = Occasion(rule="survey_invitation", key=f"survey_invitation:{event.invitation_id}",
                        due_on=event.send_at.date(), action="message", customer_id=event.customer_id,
                        dealer_id=event.dealer_id, purpose="survey",
                        variables={"link": event.link_path, "survey_kind": event.survey_kind,
                                   "language": event.language, "expires_at": event.expires_at.isoformat(),
                                   "invitation_id": str(event.invitation_id),
                                   "visit_id": str(event.visit_id) if event.visit_id else None})
    await repository.store_occasions(session, [occasion], {occasion.key: event.send_at})
    if event.visit_id:
        await work.link_invitation(session, event.invitation_id, event.visit_id)


async def open_case(session: AsyncSession, *, dealer_id: str, customer_id: uuid.UUID, source: str, summary: str,
                    alert_id: uuid.UUID | None = None, first_contact_hours: int = 24,
                    case_id: uuid.UUID | None = None, actor: str | None = None) -> uuid.UUID | None:
    """A case and its first-contact call; a hot alert seen again opens nothing new."""
    now = datetime.now(UTC)
    case_id = case_id or uuid.uuid4()
    first_contact = case_rules.first_contact_due(now, first_contact_hours)
    if not await work.insert_case(
            session, id=case_id, dealer_id=dealer_id, customer_id=customer_id, source=source, alert_id=alert_id,
            state="open", summary=summary, first_contact_due=first_contact, opened_at=now):
        return None
    await work.record_case_action(session, case_id=case_id, dealer_id=dealer_id, action="opened", actor=actor,
                                  at=now)
    await create_task(session, dealer_id=dealer_id, customer_id=customer_id, kind="call", role="cs_survey",
                      reason="complaint_follow_up", priority="urgent", due_at=first_contact, case_id=case_id)
    await stage_event(session, ComplaintOpened(case_id=case_id, customer_id=customer_id, dealer_id=dealer_id,
                                           source=source, alert_id=alert_id, opened_at=now), customer_id, dealer_id)
    return case_id


async def hot_alert_raised(session: AsyncSession, event: HotAlertRaised) -> None:
    plan = (await repository.dealer_plans(session, event.dealer_id))["complaint_follow_up"]
    summary = f"{event.survey_kind.upper()} {event.question_text}: {event.score:g}"
    if event.comment:
        summary += f" — {event.comment}"
    await open_case(session, dealer_id=event.dealer_id, customer_id=event.customer_id, source="hot_alert",
                    summary=summary, alert_id=event.alert_id, first_contact_hours=plan["first_contact_hours"])
    await notifications.hot_alert_raised(session, event)
