"""Checking a respondent's answers against the template version they answer.

Every problem is reported at once, one entry per question, so the form can mark each field.
"""

from dataclasses import dataclass
from typing import Any

from crm_survey.domain.templates import Question, TemplateDefinition, condition_met

MAX_TEXT = 2000
SCALES = {"scale_5": (1, 5), "scale_10": (1, 10), "nps": (0, 10)}
PAIR_KEYS = {"expectation", "experience"}


@dataclass(frozen=True)
class AnswerError:
    question_id: str
    detail: str


def visible_questions(definition: TemplateDefinition, answers: dict[str, Any]) -> list[Question]:
    """The questions this respondent is shown: conditions look at earlier answers only."""
    shown = []
    for question in definition.questions:
        condition = question.show_if
        if condition is None or condition_met(condition, answers.get(condition.question)):
            shown.append(question)
    return shown


def answer_errors(definition: TemplateDefinition, answers: dict[str, Any]) -> list[AnswerError]:
    given = {key: value for key, value in answers.items() if value is not None}
    known = {question.id for question in definition.questions}
    errors = [AnswerError(key, "not a question of this survey") for key in given if key not in known]
    shown = {question.id for question in visible_questions(definition, given)}
    for question in definition.questions:
        value = given.get(question.id)
        if question.id not in shown:
            if value is not None:
                errors.append(AnswerError(question.id, "this question is not shown for your earlier answers"))
            continue
        if value is None:
            if question.required:
                errors.append(AnswerError(question.id, "an answer is required"))
            continue
        problem = _value_error(question, value)
        if problem:
            errors.append(AnswerError(question.id, problem))
    return errors


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _value_error(question: Question, value: Any) -> str | None:
    if question.type in SCALES:
        low, high = SCALES[question.type]
        if not _is_int(value) or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None
    options = {option.id for option in question.options}
    if question.type == "single_choice":
        return None if isinstance(value, str) and value in options else f"one of: {', '.join(sorted(options))}"
    if question.type == "multiple_choice":
        if (not isinstance(value, list) or not value or len(set(map(str, value))) != len(value)
                or not all(isinstance(v, str) and v in options for v in value)):
            return f"a list of distinct options from: {', '.join(sorted(options))}"
        return None
    if question.type == "text":
        if not isinstance(value, str) or not value.strip():
            return "text"
        return None if len(value) <= MAX_TEXT else f"at most {MAX_TEXT} characters"
    if (not isinstance(value, dict) or set(value) != PAIR_KEYS
            or not all(_is_int(v) and 1 <= v <= 10 for v in value.values())):
        return "an object {expectation, experience} with whole numbers from 1 to 10"
    return None


def split_free_text(definition: TemplateDefinition, answers: dict[str, Any]) -> tuple[dict, dict]:
    """(ratings and choices, free text): free text may hold personal data and is erased on request."""
    text_ids = {question.id for question in definition.questions if question.type == "text"}
    rated = {k: v for k, v in answers.items() if v is not None and k not in text_ids}
    free = {k: v.strip() for k, v in answers.items() if v is not None and k in text_ids}
    return rated, free
