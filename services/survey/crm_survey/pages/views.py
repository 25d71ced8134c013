"""What a page shows, worked out from a template version and answers: no I/O, no HTML.

`chosen` is what the browser sent (field name -> values as text), so a form sent back with a missing
answer shows exactly what the respondent had already picked.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm_survey.domain.answers import SCALES
from crm_survey.domain.templates import Question, TemplateDefinition

CHINA = ZoneInfo("Asia/Shanghai")  # the customers' clock, whatever the server's
Chosen = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class ChoiceGroup:
    """One set of radio buttons or check boxes under one field name."""

    name: str
    legend: str | None
    choices: list[Choice]
    multiple: bool = False
    low: str | None = None  # what the ends of a scale mean
    high: str | None = None


@dataclass(frozen=True)
class QuestionView:
    id: str
    type: str
    text: str
    required: bool
    conditional: bool
    error: str | None = None
    groups: list[ChoiceGroup] = field(default_factory=list)
    text_value: str = ""


@dataclass(frozen=True)
class AnswerLine:
    question: str
    answer: str


def question_views(definition: TemplateDefinition, language: str, texts: dict[str, Any], chosen: Chosen,
                   errors: Mapping[str, str]) -> list[QuestionView]:
    """`errors`: question id -> the catalogue key of what is wrong (`error_required`, `error_invalid`)."""
    return [_question(q, language, texts, chosen, texts[errors[q.id]] if q.id in errors else None)
            for q in definition.questions]


def _question(question: Question, language: str, texts: dict[str, Any], chosen: Chosen,
              error: str | None) -> QuestionView:
    common = {"id": question.id, "type": question.type, "text": question.text.in_language(language),
              "required": question.required, "conditional": question.show_if is not None, "error": error}
    if question.type == "text":
        return QuestionView(**common, text_value=next(iter(chosen.get(question.id, ())), ""))
    if question.type == "expectation_experience":
        groups = [_scale(f"{question.id}.{half}", 1, 10, chosen, texts, legend=texts[half])
                  for half in ("expectation", "experience")]
        return QuestionView(**common, groups=groups)
    if question.type in SCALES:
        low, high = SCALES[question.type]
        return QuestionView(**common, groups=[_scale(question.id, low, high, chosen, texts)])
    picked = set(chosen.get(question.id, ()))
    choices = [Choice(o.id, o.text.in_language(language), o.id in picked) for o in question.options]
    return QuestionView(**common, groups=[ChoiceGroup(question.id, None, choices,
                                                      multiple=question.type == "multiple_choice")])


def _scale(name: str, low: int, high: int, chosen: Chosen, texts: dict[str, Any],
           legend: str | None = None) -> ChoiceGroup:
    picked = set(chosen.get(name, ()))
    choices = [Choice(str(n), str(n), str(n) in picked) for n in range(low, high + 1)]
    if low == 0:
        return ChoiceGroup(name, legend, choices, low=texts["nps_low"], high=texts["nps_high"])
    return ChoiceGroup(name, legend, choices, low=texts["scale_low"], high=texts["scale_high"].format(max=high))


def error_keys(definition: TemplateDefinition, answers: Mapping[str, Any],
               failed: Sequence[str]) -> dict[str, str]:
    """Catalogue keys for the questions the answer check refused: unanswered, or an answer to pick again."""
    known = {q.id for q in definition.questions}
    return {qid: "error_invalid" if qid in answers else "error_required" for qid in failed if qid in known}


def answer_lines(definition: TemplateDefinition, answers: Mapping[str, Any], language: str,
                 texts: dict[str, Any]) -> list[AnswerLine]:
    """The respondent's answers in the questionnaire's order, worded for reading back."""
    lines = []
    for question in definition.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        lines.append(AnswerLine(question.text.in_language(language), _worded(question, value, language, texts)))
    return lines


def _worded(question: Question, value: Any, language: str, texts: dict[str, Any]) -> str:
    if question.type == "nps":
        return texts["nps_value"].format(value=value)
    if question.type in SCALES:
        return texts["out_of"].format(value=value, max=SCALES[question.type][1])
    if question.type == "expectation_experience" and isinstance(value, dict):
        return texts["pair_value"].format(**value)
    options = {o.id: o.text.in_language(language) for o in question.options}
    if isinstance(value, list):
        return texts["list_separator"].join(options.get(v, v) for v in value)
    return options.get(value, str(value))


def long_date(moment: datetime, texts: dict[str, Any]) -> str:
    """The day in China: `2026年11月28日`, `28 November 2026`."""
    local = moment.astimezone(CHINA)
    return texts["date"].format(year=local.year, month_number=local.month, day=local.day,
                                month_name=texts["months"][local.month - 1])
