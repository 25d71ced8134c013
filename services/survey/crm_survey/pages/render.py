"""HTML replies of the survey link: the questionnaire, the thank-you and already-answered pages, kind
pages for a link that is unknown, expired or asked too often. Jinja2 templates in `templates/`."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crm_survey.domain.answers import SCALES
from crm_survey.domain.templates import TemplateDefinition, condition_met
from crm_survey.pages import views
from crm_survey.pages.catalogue import texts

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Nothing may load from elsewhere (no CDN, no fonts, no scripts at all); the link's token stays out of
# Referer headers; answers are personal, so no cache keeps the page.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
UNAVAILABLE = {404: "unknown", 410: "expired", 429: "busy"}


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _page(template: str, language: str, path: str, status: int = 200, headers: Mapping[str, str] | None = None,
          **context: Any) -> HTMLResponse:
    other = "en" if language == "zh-CN" else "zh-CN"
    html = environment().get_template(template).render(
        language=language, t=texts(language), other_language=other, other_language_url=f"{path}?lang={other}",
        **context)
    return HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})


def questionnaire(definition: TemplateDefinition, language: str, path: str, *, chosen: views.Chosen | None = None,
                  errors: Mapping[str, str] | None = None, lang_asked: str | None = None) -> HTMLResponse:
    """`errors` (question id -> catalogue key) re-renders what was `chosen` with a 422."""
    t = texts(language)
    questions = views.question_views(definition, language, t, chosen or {}, errors or {})
    action = path + (f"?lang={lang_asked}" if lang_asked else "")
    return _page("questionnaire.html", language, path, 422 if errors else 200,
                 title=definition.title.in_language(language), questions=questions, errors=bool(errors),
                 action=action, conditional_css=conditional_css(definition))


def answered(definition: TemplateDefinition, answers: Mapping[str, Any], recorded_at: datetime, language: str,
             path: str, *, just_now: bool) -> HTMLResponse:
    """Right after sending: thanks. Any later visit: when they answered, and what."""
    t = texts(language)
    if just_now:
        title, paragraphs = t["thanks_title"], [t["thanks_body"]]
    else:
        title, paragraphs = t["answered_title"], [t["answered_body"].format(date=views.long_date(recorded_at, t))]
    return _page("message.html", language, path, title=title, paragraphs=paragraphs,
                 answers=views.answer_lines(definition, answers, language, t))


def unavailable(status: int, language: str, path: str, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """The same status as the JSON problem (404, 410, 429), with a page a customer can read."""
    t = texts(language)
    kind = UNAVAILABLE[status]
    return _page("message.html", language, path, status, headers, title=t[f"{kind}_title"],
                 paragraphs=[t[f"{kind}_body"]], answers=[])


def conditional_css(definition: TemplateDefinition) -> Markup:
    """Hide a question until an earlier answer calls for it, with CSS `:has()` instead of JavaScript.

    Browsers without `:has()` show every question; the form then ignores answers to hidden ones.
    """
    rules = []
    for question in definition.questions:
        condition = question.show_if
        source = definition.question(condition.question) if condition else None
        if source is None:
            continue
        values = _possible_values(source)
        if not values:
            continue
        showing = [v for v in values if condition_met(condition, v)]
        selectors = ", ".join(f'input[name="{source.id}"][value="{v}"]:checked' for v in showing)
        rules.append(f".q-{question.id} {{ display: none; }}")
        if selectors:
            rules.append(f"form:has({selectors}) .q-{question.id} {{ display: block; }}")
    # Ids and option ids match [a-z0-9_] (domain.templates), so nothing here needs escaping.
    return Markup("@supports selector(:has(a)) {\n" + "\n".join(rules) + "\n}" if rules else "")


def _possible_values(source) -> Sequence[Any]:
    if source.type in SCALES:
        low, high = SCALES[source.type]
        return list(range(low, high + 1))
    return [option.id for option in source.options]
