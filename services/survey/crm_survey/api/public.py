"""The respondent's side: `/s/{token}`, no login, rate-limited per link and per address."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from crm_kit.db import SessionDep
from crm_survey.domain.answers import SCALES
from crm_survey.domain.templates import LANGUAGES, Language, TemplateDefinition
from crm_survey.handlers import answers
from crm_survey.models.api import AnswersSubmit, PublicReceipt

router = APIRouter(prefix="/s", tags=["survey answers (public)"])

Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
THANKS = {"zh-CN": "感谢您的宝贵意见！", "en": "Thank you for your feedback!"}


def _limit(request: Request, token: str) -> None:
    request.app.state.public_limits.check(request, token)


def questionnaire_in(definition: TemplateDefinition, language: str) -> dict[str, Any]:
    def question(q) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": q.id, "type": q.type, "text": q.text.in_language(language),
                                 "required": q.required}
        if q.type in SCALES:
            shown["min"], shown["max"] = SCALES[q.type]
        if q.options:
            shown["options"] = [{"id": o.id, "text": o.text.in_language(language)} for o in q.options]
        if q.show_if:
            shown["show_if"] = q.show_if.model_dump(exclude_none=True)
        return shown

    return {"title": definition.title.in_language(language), "questions": [question(q) for q in definition.questions]}


def receipt(response, language: str) -> PublicReceipt:
    return PublicReceipt(response_id=response.id, recorded_at=response.recorded_at,
                         answers={**response.answers, **response.free_text}, message=THANKS[language])


@router.get("/{token}", summary="The questionnaire behind a survey link, in the customer's language")
async def get_questionnaire(token: Token, request: Request, session: SessionDep,
                            lang: Annotated[Language | None, Query(description="Override the language")] = None
                            ) -> dict[str, Any]:
    _limit(request, token)
    found = await answers.open_questionnaire(session, token)
    language = lang or (found.invitation.language if found.invitation.language in LANGUAGES else "zh-CN")
    return {
        "kind": found.invitation.kind, "language": language, "expires_at": found.invitation.expires_at,
        "status": found.invitation.status, **questionnaire_in(found.definition, language),
        "response": receipt(found.response, language).model_dump(mode="json") if found.response else None,
    }


@router.post("/{token}", status_code=201, response_model=PublicReceipt,
             summary="Answer the survey; a second submission returns the first (200)")
async def submit_answers(token: Token, data: AnswersSubmit, request: Request, response: Response,
                         session: SessionDep) -> PublicReceipt:
    _limit(request, token)
    stored, created, language = await answers.answer_by_link(session, token, data.answers)
    if not created:
        response.status_code = 200
    return receipt(stored, language if language in LANGUAGES else "zh-CN")
