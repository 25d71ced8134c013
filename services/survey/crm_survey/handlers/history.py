"""Bringing in a dealer's past survey results (from its previous vendor), so its indices, NPS and trends
start with its history instead of empty.

Each past response becomes an answered invitation and its response, scored against the dealer's current
template of that kind, added to the monthly sums exactly as a live answer is (the index and NPS in the
month it was answered, the response count in the month it was sent) and announced as
`survey.response.recorded` with its own date. The whole request is checked before anything is stored:
one bad row refuses the request, naming each bad field.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.survey import SurveyResponseRecorded
from crm_kit.idempotency import answered_with, first_answer
from crm_kit.problems import field_error, invalid
from crm_survey import metrics
from crm_survey.domain import history, scoring
from crm_survey.domain.analytics import month_of
from crm_survey.domain.answers import answer_errors, split_free_text
from crm_survey.handlers.common import definition_of, new_token, stage_event, template_for
from crm_survey.models.tables import SurveyResponse, TemplateVersion
from crm_survey.repository import history as repository
from crm_survey.repository import invitations, responses


@dataclass(frozen=True)
class PastResponse:
    external_id: str
    customer_id: Any  # uuid.UUID
    kind: str
    answered_at: datetime
    sent_at: datetime | None
    advisor_id: str | None
    channel: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class Imported:
    created: int
    unchanged: int


async def import_history(session: AsyncSession, dealer_id: str, past: list[PastResponse],
                         agent_id: str, idempotency_key: str | None = None) -> Imported:
    """A retry under the same Idempotency-Key answers the first import's counts (rather than all unchanged)."""
    async with session.begin():
        earlier = await first_answer(session, idempotency_key, dealer_id, "POST /responses/import",
                                     {"responses": [asdict(row) for row in past]}, "")
        if earlier:
            created, unchanged = map(int, earlier.resource_id.split("/"))
            return Imported(created=created, unchanged=unchanged)
        templates = {kind: await template_for(session, dealer_id, kind) for kind in {row.kind for row in past}}
        await _check(session, dealer_id, past, templates)
        created = 0
        people = await invitations.customers(session, list({row.customer_id for row in past}))
        sums: dict[tuple[str, date, str | None], dict[str, tuple[float, int]]] = {}
        for row in past:
            language = people[row.customer_id].language if row.customer_id in people else "zh-CN"
            created += await _store(session, dealer_id, row, templates[row.kind], agent_id, language, sums)
        # one upsert for the whole request instead of two per response: the same sums, far fewer statements
        await repository.add_sums(session, dealer_id, sums)
        # what the import created is its counts: the key keeps them for the retry to answer
        await answered_with(session, idempotency_key, dealer_id, f"{created}/{len(past) - created}", 200)
    return Imported(created=created, unchanged=len(past) - created)


def _add(sums: dict, group: tuple, values: dict[str, float]) -> None:
    """Sum one response into its month and advisor, counting it once per metric, as `rollups.add` does."""
    for metric, value in values.items():
        total, count = sums.setdefault(group, {}).get(metric, (0.0, 0))
        sums[group][metric] = (total + value, count + 1)


async def _check(session: AsyncSession, dealer_id: str, past: list[PastResponse],
                 templates: dict[str, TemplateVersion]) -> None:
    now = datetime.now(UTC)
    errors = [field_error("body", f"/responses/{position}/external_id", "appears earlier in this request")
              for position in history.duplicate_positions([row.external_id for row in past])]
    people = await invitations.customers(session, list({row.customer_id for row in past}))
    for position, row in enumerate(past):
        pointer = f"/responses/{position}"
        errors += [field_error("body", f"{pointer}/{name}", detail)
                   for name, detail in history.date_errors(history.PastResponseDates(row.answered_at, row.sent_at),
                                                           now)]
        customer = people.get(row.customer_id)
        if customer is not None and customer.dealer_id != dealer_id:
            errors.append(field_error("body", f"{pointer}/customer_id", "not a customer of this dealer"))
        elif customer is not None and customer.erased:
            errors.append(field_error("body", f"{pointer}/customer_id", "this customer was erased"))
        errors += [field_error("body", f"{pointer}/answers/{error.question_id}", error.detail)
                   for error in answer_errors(definition_of(templates[row.kind]), row.answers)]
    if errors:
        raise invalid(*errors, detail="Some past responses need another look; nothing was imported.")


async def _store(session: AsyncSession, dealer_id: str, row: PastResponse, template: TemplateVersion,
                 agent_id: str, language: str, sums: dict) -> int:
    key = history.invitation_key(dealer_id, row.external_id)
    sent_at = row.sent_at or row.answered_at
    claimed = await repository.claim_invitation(session, dict(
        id=key, token=new_token(), customer_id=row.customer_id, dealer_id=dealer_id, kind=row.kind,
        template_id=template.template_id, template_version=template.version, advisor_id=row.advisor_id,
        language=language, status="answered", send_at=sent_at, expires_at=row.answered_at, sent_at=sent_at,
        answered_at=row.answered_at, created_at=datetime.now(UTC)))
    if not claimed:
        return 0
    definition = definition_of(template)
    rated, free_text = split_free_text(definition, row.answers)
    scores = scoring.score(definition, rated)
    values = scoring.rollup_metrics(scores)
    response = SurveyResponse(
        id=history.response_key(key), invitation_id=key, customer_id=row.customer_id, dealer_id=dealer_id,
        kind=row.kind, template_id=template.template_id, template_version=template.version,
        advisor_id=row.advisor_id, channel=row.channel, agent_id=agent_id if row.channel == "phone" else None,
        answers=rated, free_text=free_text,
        index=scores.index, factor_scores=scores.factor_scores, nps=scores.nps, nps_category=scores.nps_category,
        satisfaction_ratio=scores.satisfaction_ratio, pair_ratios=scores.pair_ratios, metrics=values,
        recorded_at=row.answered_at)
    responses.add(session, response)
    _add(sums, (row.kind, month_of(row.answered_at), row.advisor_id), values)
    _add(sums, (row.kind, month_of(sent_at), row.advisor_id), {"response": 1})
    await stage_event(session, SurveyResponseRecorded(
        response_id=response.id, invitation_id=key, customer_id=row.customer_id, dealer_id=dealer_id,
        survey_kind=row.kind, template_version=template.version, index=scores.index,
        factor_scores=scores.factor_scores, nps=scores.nps, nps_category=scores.nps_category,
        satisfaction_ratio=scores.satisfaction_ratio, advisor_id=row.advisor_id, channel=row.channel,
        recorded_at=row.answered_at), row.customer_id, dealer_id)
    metrics.RESPONSES_RECORDED.labels(dealer_id, row.kind, row.channel).inc()
    if scores.index is not None:
        metrics.RESPONSE_INDEX.labels(dealer_id, row.kind).observe(scores.index)
    if scores.nps_category is not None:
        metrics.NPS_ANSWERS.labels(dealer_id, row.kind, scores.nps_category).inc()
    return 1
