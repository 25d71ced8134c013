"""A submitted HTML form, turned into the same answers the JSON API takes.

Browsers send every value as text: numbers are read back as numbers, the two halves of an
expectation/experience pair come as `<question>.expectation` and `<question>.experience`. A value that is
not what the question expects is passed on unchanged, so the one answer check (domain.answers) names it.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from crm_survey.domain.answers import SCALES, visible_questions
from crm_survey.domain.templates import Question, TemplateDefinition

PAIR = ("expectation", "experience")


def answers_from_form(definition: TemplateDefinition, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """question id -> answer, for the questions this respondent is shown; blanks are left out.

    Answers to a question that the respondent's own answers hide (they wrote a complaint, then raised
    their score) are dropped: the page cannot hide it without JavaScript, so it is not their mistake.
    """
    given = {}
    for question in definition.questions:
        value = _value(question, form)
        if value is not None:
            given[question.id] = value
    shown = {question.id for question in visible_questions(definition, given)}
    return {key: value for key, value in given.items() if key in shown}


def _value(question: Question, form: Mapping[str, Sequence[str]]) -> Any:
    values = [v for v in form.get(question.id, ()) if v.strip()]
    if question.type == "multiple_choice":
        return values or None
    if question.type == "expectation_experience":
        pair = {half: _number(_first(form.get(f"{question.id}.{half}", ()))) for half in PAIR}
        return None if all(v is None for v in pair.values()) else pair
    first = _first(values)
    if first is None:
        return None
    if question.type in SCALES:
        return _number(first)
    return first.strip() if question.type == "text" else first


def _first(values: Sequence[str]) -> str | None:
    filled = [v for v in values if v.strip()]
    return filled[0] if filled else None


def _number(text: str | None) -> int | str | None:
    if text is None:
        return None
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else stripped
