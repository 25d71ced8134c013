"""Answering a survey: the public questionnaire behind a token, and phone follow-ups (回访) by staff."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.survey import HotAlertRaised, SurveyResponseRecorded
from crm_kit.idempotency import answered_with, first_answer
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_survey import metrics
from crm_survey.domain import scoring
from crm_survey.domain.analytics import month_of
from crm_survey.domain.answers import answer_errors, split_free_text
from crm_survey.domain.templates import TemplateDefinition
from crm_survey.handlers.common import definition_of, stage_event
from crm_survey.handlers.delivery import mark_sent
from crm_survey.models.tables import HotAlertRecord, Invitation, SurveyResponse
from crm_survey.repository import invitations, responses, rollups, templates

OPEN = ("sent", "opened")


@dataclass(frozen=True)
class Questionnaire:
    invitation: Invitation
    definition: TemplateDefinition
    response: SurveyResponse | None


def _gone() -> Problem:
    return Problem(410, "Gone", "This survey has expired; thank you for your time.",
                   type="urn:crm:problem:survey-expired")


def _unknown() -> Problem:
    return Problem(404, "Not Found", "No survey answers to this link. Please check the link you received.",
                   type="urn:crm:problem:survey-unknown")


# A published version is never changed again, so its parsed definition is kept rather than read and validated
# inside every answer's transaction. Bounded: versions are few, but a process lives long.
_published: dict[tuple, TemplateDefinition] = {}
_PUBLISHED_KEPT = 512


async def _definition(session: AsyncSession, invitation: Invitation) -> TemplateDefinition:
    key = (invitation.template_id, invitation.template_version)
    if key in _published:
        return _published[key]
    version = await templates.get_version(session, invitation.template_id, invitation.template_version)
    assert version is not None, "an invitation always names a stored template version"
    definition = definition_of(version)
    if version.status == "published":
        if len(_published) >= _PUBLISHED_KEPT:
            _published.pop(next(iter(_published)))
        _published[key] = definition
    return definition


async def open_questionnaire(session: AsyncSession, token: str) -> Questionnaire:
    """The questionnaire behind a link; the first look marks the invitation opened."""
    async with session.begin():
        invitation = await invitations.by_token(session, token, for_update=True)
        if invitation is None or invitation.status in ("scheduled", "suppressed"):
            raise _unknown()
        if invitation.status == "answered":
            response = await responses.of_invitation(session, invitation.id)
            return Questionnaire(invitation, await _definition(session, invitation), response)
        if invitation.status == "expired" or invitation.expires_at <= datetime.now(UTC):
            raise _gone()
        if invitation.status == "sent":
            invitation.status, invitation.opened_at = "opened", datetime.now(UTC)
        return Questionnaire(invitation, await _definition(session, invitation), None)


async def answer_by_link(session: AsyncSession, token: str,
                         answers: dict[str, Any]) -> tuple[SurveyResponse, bool, str]:
    """(response, created, the invitation's language). A re-submit returns the stored response."""
    async with session.begin():
        invitation = await invitations.by_token(session, token, for_update=True)
        if invitation is None or invitation.status in ("scheduled", "suppressed"):
            raise _unknown()
        if invitation.status == "answered":
            return await responses.of_invitation(session, invitation.id), False, invitation.language
        if invitation.status == "expired" or invitation.expires_at <= datetime.now(UTC):
            raise _gone()
        recorded = await _record(session, invitation, answers, channel="web", agent_id=None)
        return recorded, True, invitation.language


async def answer_by_phone(session: AsyncSession, invitation_id, answers: dict[str, Any], agent_id: str,
                          dealers: frozenset[str] | None, idempotency_key: str | None = None
                          ) -> tuple[SurveyResponse, bool]:
    """Staff record what the customer said on a follow-up call, also after the link expired. A retry under the
    same Idempotency-Key answers as the first call did; other answers under that key are refused."""
    async with session.begin():
        invitation = await invitations.get(session, invitation_id, for_update=True)
        if invitation is None or (dealers is not None and invitation.dealer_id not in dealers):
            raise not_found("invitation")
        earlier = await first_answer(session, idempotency_key, invitation.dealer_id,
                                     f"POST /invitations/{invitation_id}/phone-follow-up", {"answers": answers},
                                     invitation.id)
        if earlier:
            return await responses.of_invitation(session, invitation.id), earlier.status_code == 201
        if invitation.status == "answered":
            await answered_with(session, idempotency_key, invitation.dealer_id, invitation.id, 200)
            return await responses.of_invitation(session, invitation.id), False
        if invitation.status == "suppressed":
            raise Problem(409, "Conflict", f"This survey was not to be sent ({invitation.suppressed_reason}); "
                          "it cannot be answered for the customer either.")
        if invitation.status == "scheduled":  # called before the link went out: counts as sent now
            await mark_sent(session, invitation, datetime.now(UTC))
        return await _record(session, invitation, answers, channel="phone", agent_id=agent_id), True


async def _record(session: AsyncSession, invitation: Invitation, answers: dict[str, Any], *, channel: str,
                  agent_id: str | None) -> SurveyResponse:
    definition = await _definition(session, invitation)
    errors = answer_errors(definition, answers)
    if errors:
        raise invalid(*(field_error("body", f"/answers/{e.question_id}", e.detail) for e in errors),
                      detail="Some answers need another look.")
    rated, free_text = split_free_text(definition, answers)
    scores = scoring.score(definition, rated)
    metrics_of_response = scoring.rollup_metrics(scores)
    now = datetime.now(UTC)
    response = SurveyResponse(
        invitation_id=invitation.id, customer_id=invitation.customer_id, dealer_id=invitation.dealer_id,
        kind=invitation.kind, template_id=invitation.template_id, template_version=invitation.template_version,
        advisor_id=invitation.advisor_id, channel=channel, agent_id=agent_id, answers=rated, free_text=free_text,
        index=scores.index, factor_scores=scores.factor_scores, nps=scores.nps, nps_category=scores.nps_category,
        satisfaction_ratio=scores.satisfaction_ratio, pair_ratios=scores.pair_ratios, metrics=metrics_of_response,
        recorded_at=now)
    responses.add(session, response)
    invitation.status, invitation.answered_at = "answered", now
    # Increments, not the dealer's sums: concurrent answers for one dealer must not queue on its rollup rows.
    await rollups.add_all(session, rollups.increments_of(
        kind=invitation.kind, dealer_id=invitation.dealer_id, month=month_of(now), advisor_id=invitation.advisor_id,
        values=metrics_of_response) + rollups.increments_of(
        kind=invitation.kind, dealer_id=invitation.dealer_id, month=month_of(invitation.sent_at or now),
        advisor_id=invitation.advisor_id, values={"response": 1}, counted=0))
    await stage_event(session, SurveyResponseRecorded(
        response_id=response.id, invitation_id=invitation.id, customer_id=invitation.customer_id,
        dealer_id=invitation.dealer_id, survey_kind=invitation.kind, template_version=invitation.template_version,
        index=scores.index, factor_scores=scores.factor_scores, nps=scores.nps, nps_category=scores.nps_category,
        satisfaction_ratio=scores.satisfaction_ratio, advisor_id=invitation.advisor_id, channel=channel,
        recorded_at=now), invitation.customer_id, invitation.dealer_id)
    metrics.RESPONSES_RECORDED.labels(invitation.dealer_id, invitation.kind, channel).inc()
    if scores.index is not None:
        metrics.RESPONSE_INDEX.labels(invitation.dealer_id, invitation.kind).observe(scores.index)
    if scores.nps_category is not None:
        metrics.NPS_ANSWERS.labels(invitation.dealer_id, invitation.kind, scores.nps_category).inc()
    alert = scoring.hot_alert(definition, {**rated, **free_text}, scores)
    if alert is not None:
        await _raise_alert(session, invitation, response, definition, alert)
    return response


async def _raise_alert(session: AsyncSession, invitation: Invitation, response: SurveyResponse,
                       definition: TemplateDefinition, alert: scoring.HotAlert) -> None:
    question = definition.question(alert.question_id)
    assert question is not None
    record = HotAlertRecord(
        response_id=response.id, customer_id=invitation.customer_id, dealer_id=invitation.dealer_id,
        kind=invitation.kind, question_id=alert.question_id, question_text=question.text.in_language("zh-CN"),
        score=alert.score, comment=alert.comment, raised_at=response.recorded_at)
    responses.add(session, record)
    await stage_event(session, HotAlertRaised(
        alert_id=record.id, response_id=response.id, customer_id=invitation.customer_id,
        dealer_id=invitation.dealer_id, survey_kind=invitation.kind, question_id=record.question_id,
        question_text=record.question_text, score=record.score, comment=record.comment,
        raised_at=record.raised_at), invitation.customer_id, invitation.dealer_id)
    metrics.HOT_ALERTS_RAISED.labels(invitation.dealer_id, invitation.kind).inc()
