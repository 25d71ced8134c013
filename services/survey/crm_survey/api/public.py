"""The respondent's side: `/s/{token}`, no login, rate-limited per link and per address.

One path, two kinds of client: a browser (`Accept: text/html`) gets the pages of `crm_survey.pages` and
posts a form (post/redirect/get: 303 to a thank-you page); API clients get and post JSON.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from crm_kit.db import SessionDep
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_kit.responses import problems
from crm_survey.domain.answers import SCALES
from crm_survey.domain.templates import LANGUAGES, Language, TemplateDefinition
from crm_survey.handlers import answers
from crm_survey.models.api import AnswersSubmit, PublicReceipt
from crm_survey.models.questionnaire import Questionnaire
from crm_survey.pages import render, views
from crm_survey.pages.catalogue import from_accept_language, supported
from crm_survey.pages.form import answers_from_form

router = APIRouter(prefix="/s", tags=["survey answers (public)"])

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Checked in the route, not by FastAPI: a link cut short in an SMS must reach a browser as the kind
# "unknown link" page, while API clients keep their 422. The schema still documents the shape.
Token = Annotated[str, Path(json_schema_extra={"minLength": 16, "maxLength": 64, "pattern": r"^[A-Za-z0-9_-]+$"})]
Lang = Annotated[Language | None, Query(description="Override the language")]
THANKS = {"zh-CN": "感谢您的宝贵意见！", "en": "Thank you for your feedback!"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
HTML_REPLY = {"text/html": {"schema": {"type": "string"}}}
# Unknown (404), expired or withdrawn (410), too many tries (429): a problem, or a page a browser shows.
UNAVAILABLE = {status: {**reply, "content": {**reply["content"], **HTML_REPLY}}
               for status, reply in problems(404, 410, 429).items()}
# The body is read by hand (JSON or a browser's form), so its JSON shape is documented here.
JSON_BODY = {"requestBody": {"required": True,
                             "content": {"application/json": {"schema": AnswersSubmit.model_json_schema()}}}}


def _limit(request: Request, token: str) -> None:
    """The link's shape, then the rate limits per address and per link."""
    if not TOKEN_SHAPE.fullmatch(token):
        if wants_html(request):
            raise not_found("survey link")
        raise invalid(field_error("path", "token", "16 to 64 letters, digits, '-' or '_'"))
    request.app.state.public_limits.check(request, token)


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES


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


# exclude_unset: a question carries only the keys its type has (no `min: null` on a text question).
@router.get("/{token}", response_model=Questionnaire, response_model_exclude_unset=True,
            responses={200: {"content": HTML_REPLY}, **UNAVAILABLE},
            summary="The questionnaire behind a survey link, in the customer's language (HTML for browsers)")
async def get_questionnaire(token: Token, request: Request, session: SessionDep, lang: Lang = None) -> Any:
    if wants_html(request):
        return await _page_of_link(token, request, session, lang, just_answered=False)
    _limit(request, token)
    found = await answers.open_questionnaire(session, token)
    language = lang or (found.invitation.language if found.invitation.language in LANGUAGES else "zh-CN")
    return Questionnaire.model_validate({
        "kind": found.invitation.kind, "language": language, "expires_at": found.invitation.expires_at,
        "status": found.invitation.status, **questionnaire_in(found.definition, language),
        "response": receipt(found.response, language) if found.response else None,
    })


@router.get("/{token}/thanks", include_in_schema=False)
async def thank_you_page(token: Token, request: Request, session: SessionDep, lang: Lang = None) -> HTMLResponse:
    return await _page_of_link(token, request, session, lang, just_answered=True)


@router.post("/{token}", status_code=201, response_model=PublicReceipt, openapi_extra=JSON_BODY,
             responses={303: {"description": "A browser's form was taken (or had been): see the page it names"},
                        **UNAVAILABLE},
             summary="Answer the survey; a second submission returns the first (200)")
async def submit_answers(token: Token, request: Request, response: Response, session: SessionDep,
                         lang: Lang = None) -> Any:
    if is_form(request):
        return await _answer_form(token, request, session, lang)
    data = await _answers_body(request)
    _limit(request, token)
    stored, created, language = await answers.answer_by_link(session, token, data.answers)
    if not created:
        response.status_code = 200
    return receipt(stored, language if language in LANGUAGES else "zh-CN")


async def _answers_body(request: Request) -> AnswersSubmit:
    try:
        return AnswersSubmit.model_validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]) from error


async def _page_of_link(token: str, request: Request, session: SessionDep, lang: str | None, *,
                        just_answered: bool) -> HTMLResponse:
    """The questionnaire, or what was answered; the thank-you address shows the questionnaire until then."""
    path = f"/s/{token}"
    try:
        _limit(request, token)
        found = await answers.open_questionnaire(session, token)
    except Problem as problem:
        return _unavailable(problem, lang or from_accept_language(request.headers.get("accept-language")), path)
    language = lang or supported(found.invitation.language)
    if found.response is None:
        if just_answered:
            return RedirectResponse(path + _lang_query(lang), status_code=303)
        return render.questionnaire(found.definition, language, path, lang_asked=lang)
    stored = found.response
    return render.answered(found.definition, {**stored.answers, **stored.free_text}, stored.recorded_at, language,
                           path, just_now=just_answered)


async def _answer_form(token: str, request: Request, session: SessionDep, lang: str | None) -> HTMLResponse:
    path = f"/s/{token}"
    try:
        _limit(request, token)
        found = await answers.open_questionnaire(session, token)
    except Problem as problem:
        return _unavailable(problem, lang or from_accept_language(request.headers.get("accept-language")), path)
    language = lang or supported(found.invitation.language)
    if found.response is not None:  # sent twice: the page of the first answer
        return RedirectResponse(path + _lang_query(lang), status_code=303)
    form = await request.form()
    chosen = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    given = answers_from_form(found.definition, chosen)
    try:
        _, created, _ = await answers.answer_by_link(session, token, given)
    except Problem as problem:
        if problem.status != 422:
            return _unavailable(problem, language, path)
        failed = [e["pointer"].removeprefix("/answers/") for e in problem.errors or () if "pointer" in e]
        return render.questionnaire(found.definition, language, path, chosen=chosen, lang_asked=lang,
                                    errors=views.error_keys(found.definition, given, failed))
    return RedirectResponse(path + ("/thanks" if created else "") + _lang_query(lang), status_code=303)


def _unavailable(problem: Problem, language: str, path: str) -> HTMLResponse:
    if problem.status not in render.UNAVAILABLE:
        raise problem
    return render.unavailable(problem.status, language, path, headers=problem.headers)


def _lang_query(lang: str | None) -> str:
    return f"?lang={lang}" if lang else ""
