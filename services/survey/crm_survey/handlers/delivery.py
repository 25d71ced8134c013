"""What the schedulers in `jobs` do: invitations falling due are sent (announced to care), unanswered ones
expire.

Both claim rows with FOR UPDATE SKIP LOCKED in short transactions, so replicas share the work and a
restart loses or doubles nothing: a row is either still claimable or changed together with its event.
"""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.survey import SurveyInvitationCreated, SurveyInvitationExpired
from crm_survey import metrics
from crm_survey.domain.analytics import month_of
from crm_survey.domain.triggers import send_time_suppression
from crm_survey.handlers.common import link_path, stage_event
from crm_survey.handlers.triggers import state_of
from crm_survey.models.tables import Invitation
from crm_survey.repository import invitations, responses, rollups


async def mark_sent(session: AsyncSession, invitation: Invitation, now: datetime) -> None:
    invitation.status, invitation.sent_at = "sent", now
    await rollups.add(session, kind=invitation.kind, dealer_id=invitation.dealer_id, month=month_of(now),
                      advisor_id=invitation.advisor_id, values={"response": 0})
    await stage_event(session, SurveyInvitationCreated(
        invitation_id=invitation.id, customer_id=invitation.customer_id, dealer_id=invitation.dealer_id,
        survey_kind=invitation.kind, template_id=invitation.template_id,
        template_version=invitation.template_version, visit_id=invitation.visit_id,
        link_path=link_path(invitation.token), language=invitation.language, send_at=now,
        expires_at=invitation.expires_at), invitation.customer_id, invitation.dealer_id)


async def send_due(session: AsyncSession, batch: int = 200) -> int:
    """One batch in the caller's transaction; the consent and erasure are checked again at send time."""
    now = datetime.now(UTC)
    due = await invitations.claim_due(session, now, batch)
    people = await invitations.customers(session, list({i.customer_id for i in due}))
    for invitation in due:
        customer = people.get(invitation.customer_id)
        reason = send_time_suppression(state_of(customer)) if customer else "no_consent"
        if reason is None and invitation.expires_at <= now:
            reason = "expired_before_sending"
        if reason:
            invitation.status, invitation.suppressed_reason = "suppressed", reason
            continue
        await mark_sent(session, invitation, now)
        metrics.INVITATIONS_SENT.labels(invitation.dealer_id, invitation.kind).inc()
    return len(due)


async def expire_due(session: AsyncSession, batch: int = 500) -> int:
    now = datetime.now(UTC)
    expiring = await invitations.claim_expiring(session, now, batch)
    for invitation in expiring:
        invitation.status, invitation.expired_at = "expired", now
        await stage_event(session, SurveyInvitationExpired(
            invitation_id=invitation.id, customer_id=invitation.customer_id, dealer_id=invitation.dealer_id,
            expired_at=now), invitation.customer_id, invitation.dealer_id)
    return len(expiring)


async def count_open_alerts(session: AsyncSession) -> bool:
    """Sets the gauge the hot-alert rule fires on; a gauge because a resolved alert must leave it."""
    counts = await responses.open_alerts_by_dealer(session)
    metrics.HOT_ALERTS_OPEN.clear()
    for dealer_id, count in counts:
        metrics.HOT_ALERTS_OPEN.labels(dealer_id).set(count)
    return False
