"""What the customer and care services' events do here: keep the customers' survey facts current, and turn
visits and resolved complaints into invitations (or recorded suppressions).

Events may arrive for customers this service has not heard of yet; they are created on the spot with
no consent, so nothing is sent until consent arrives. Replays are dropped by the kit's inbox, and a
visit or case that already has an invitation gets no second one.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.care import ComplaintResolved
from crm_contracts.events.customer import VisitRecorded
from crm_survey.domain import triggers
from crm_survey.domain.triggers import CustomerState
from crm_survey.handlers.common import new_token, rules_for, template_for
from crm_survey.models.tables import HotAlertRecord, Invitation, SurveyCustomer, SurveyResponse
from crm_survey.repository import invitations, responses

MERGE_HOPS = 5


async def known_customer(session: AsyncSession, customer_id: uuid.UUID, dealer_id: str) -> SurveyCustomer:
    """The customer's row, following merges to the survivor; a customer first heard of here is created."""
    row = await invitations.customer(session, customer_id, for_update=True)
    for _ in range(MERGE_HOPS):
        if row is None or row.merged_into is None:
            break
        row = await invitations.customer(session, row.merged_into, for_update=True)
    if row is None:
        row = SurveyCustomer(customer_id=customer_id, dealer_id=dealer_id, updated_at=datetime.now(UTC))
        invitations.add(session, row)
        await session.flush()
    return row


def state_of(customer: SurveyCustomer) -> CustomerState:
    return CustomerState(known=True, survey_consent=bool(customer.consent_channels), erased=customer.erased)


async def customer_facts(session: AsyncSession, customer_id: uuid.UUID, dealer_id: str, language: str) -> None:
    customer = await known_customer(session, customer_id, dealer_id)
    customer.language, customer.updated_at = language, datetime.now(UTC)


async def consent_changed(session: AsyncSession, customer_id: uuid.UUID, dealer_id: str, channel: str,
                          granted: bool) -> None:
    customer = await known_customer(session, customer_id, dealer_id)
    channels = set(customer.consent_channels)
    channels = channels | {channel} if granted else channels - {channel}
    customer.consent_channels, customer.updated_at = sorted(channels), datetime.now(UTC)


async def customer_erased(session: AsyncSession, customer_id: uuid.UUID, dealer_id: str) -> None:
    customer = await known_customer(session, customer_id, dealer_id)
    customer.erased, customer.consent_channels, customer.updated_at = True, [], datetime.now(UTC)
    await invitations.suppress_scheduled(session, customer.customer_id, "erased")
    await responses.erase_free_text(session, customer.customer_id)


async def customer_merged(session: AsyncSession, survivor_id: uuid.UUID, duplicate_id: uuid.UUID,
                          dealer_id: str) -> None:
    """The duplicate's surveys become the survivor's. Consent is not carried over: the customer
    service announces the survivor's own consent."""
    await known_customer(session, survivor_id, dealer_id)
    duplicate = await known_customer(session, duplicate_id, dealer_id)
    if duplicate.customer_id == survivor_id:
        return
    duplicate.merged_into, duplicate.updated_at = survivor_id, datetime.now(UTC)
    await invitations.rekey(session, duplicate_id, survivor_id, [Invitation, SurveyResponse, HotAlertRecord])


async def visit_recorded(session: AsyncSession, visit: VisitRecorded) -> Invitation | None:
    kind = triggers.survey_kind_for_visit(visit.kind, visit.closed)
    if kind is None:
        return None
    rules = await rules_for(session, visit.dealer_id)
    today = datetime.now(UTC).astimezone(triggers.DEALER_TIME).date()
    if not triggers.visit_in_window(rules, visit.visited_on, today):
        return None
    if await invitations.exists_for(session, visit_id=visit.visit_id, kind=kind):
        return None
    customer = await known_customer(session, visit.customer_id, visit.dealer_id)
    send_at = triggers.visit_send_at(kind, rules, visit.visited_on, visit.recorded_at)
    reason = triggers.visit_suppression(
        state_of(customer), rules, visited_on=visit.visited_on, send_at=send_at,
        recent_sends=await invitations.live_send_times(session, customer.customer_id), today=today)
    return await _invite(session, customer, kind, visit.dealer_id, send_at, rules.expiry_days, reason,
                         visit_id=visit.visit_id, advisor_id=visit.advisor_id)


async def complaint_resolved(session: AsyncSession, resolved: ComplaintResolved) -> Invitation | None:
    """A follow-up survey N days after a complaint is resolved, whether it came from a hot alert or not."""
    if resolved.alert_id is not None:
        alert = await responses.alert(session, resolved.alert_id, for_update=True)
        if alert is not None and alert.status == "open":
            alert.status, alert.case_id, alert.resolved_at = "resolved", resolved.case_id, resolved.resolved_at
    if await invitations.exists_for(session, case_id=resolved.case_id):
        return None
    customer = await known_customer(session, resolved.customer_id, resolved.dealer_id)
    rules = await rules_for(session, resolved.dealer_id)
    send_at = resolved.resolved_at + timedelta(days=rules.follow_up_delay_days)
    reason = triggers.send_time_suppression(state_of(customer))
    return await _invite(session, customer, "follow_up", resolved.dealer_id, send_at, rules.expiry_days, reason,
                         case_id=resolved.case_id)


async def _invite(session: AsyncSession, customer: SurveyCustomer, kind: str, dealer_id: str, send_at: datetime,
                  expiry_days: int, reason: str | None, **source) -> Invitation:
    template = await template_for(session, dealer_id, kind)
    invitation = Invitation(
        token=new_token(), customer_id=customer.customer_id, dealer_id=dealer_id, kind=kind,
        template_id=template.template_id, template_version=template.version, language=customer.language,
        status="suppressed" if reason else "scheduled", suppressed_reason=reason, send_at=send_at,
        expires_at=send_at + timedelta(days=expiry_days), created_at=datetime.now(UTC), **source)
    invitations.add(session, invitation)
    return invitation
