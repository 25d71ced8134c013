"""What a survey template is: factors with weights and questions with scales, conditions and texts.

A template version is a `TemplateDefinition`; once published it never changes (a change is a new
version), so every stored response can be re-read against exactly the questions it answered.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
SurveyKind = Literal["ssi", "csi", "nps", "follow_up"]
QuestionType = Literal["scale_5", "scale_10", "nps", "single_choice", "multiple_choice", "text",
                       "expectation_experience"]
RATED = ("scale_5", "scale_10")  # the only types that feed a factor and the index
WEIGHT_TOLERANCE = 0.001


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(Strict):
    """Chinese is required (the customers' language); English falls back to it when missing."""

    zh_cn: str = Field(alias="zh-CN", min_length=1, max_length=500)
    en: str | None = Field(None, min_length=1, max_length=500)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.zh_cn


class Option(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    text: Texts


class Condition(Strict):
    """Show a question only when an earlier answer matches: one of `any_of`, or within [at_least, at_most]."""

    question: str
    any_of: list[str | int] | None = None
    at_least: float | None = None
    at_most: float | None = None


class Question(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    type: QuestionType
    text: Texts
    factor: str | None = None
    required: bool = True
    options: list[Option] = []
    show_if: Condition | None = None


class Factor(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    text: Texts
    weight: float = Field(gt=0, le=1)


class TemplateDefinition(Strict):
    kind: SurveyKind
    title: Texts
    factors: list[Factor] = []
    questions: list[Question] = Field(min_length=1, max_length=100)
    hot_alert_threshold: float = Field(5, ge=0, le=10, description="A rated answer at or under this, on the "
                                       "1–10 scale, raises a hot alert")

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def factor_weights(self) -> dict[str, float]:
        return {factor.id: factor.weight for factor in self.factors}


def definition_errors(definition: TemplateDefinition) -> list[tuple[str, str]]:
    """(JSON pointer, what is wrong) for every rule a template breaks beyond its field types."""
    errors: list[tuple[str, str]] = []
    factor_ids = [f.id for f in definition.factors]
    if len(set(factor_ids)) != len(factor_ids):
        errors.append(("/factors", "factor ids must be unique"))
    if definition.factors and abs(sum(f.weight for f in definition.factors) - 1) > WEIGHT_TOLERANCE:
        errors.append(("/factors", "factor weights must add up to 1"))
    seen: dict[str, Question] = {}
    for position, question in enumerate(definition.questions):
        where = f"/questions/{position}"
        if question.id in seen:
            errors.append((f"{where}/id", f"question id {question.id!r} is used twice"))
        if question.factor is not None:
            if question.factor not in factor_ids:
                errors.append((f"{where}/factor", f"no factor {question.factor!r} in this template"))
            if question.type not in RATED:
                errors.append((f"{where}/factor", "only 1–5 and 1–10 scale questions belong to a factor"))
        choice = question.type in ("single_choice", "multiple_choice")
        if choice and len(question.options) < 2:
            errors.append((f"{where}/options", "a choice question needs at least two options"))
        if not choice and question.options:
            errors.append((f"{where}/options", "only choice questions have options"))
        if question.show_if is not None:
            errors += [(f"{where}/show_if/{field}", detail) for field, detail in _condition_errors(question, seen)]
        seen[question.id] = question
    used = {q.factor for q in definition.questions if q.factor}
    errors += [("/factors", f"factor {f!r} has no question") for f in factor_ids if f not in used]
    return errors


def _condition_errors(question: Question, earlier: dict[str, Question]) -> list[tuple[str, str]]:
    condition = question.show_if
    assert condition is not None
    source = earlier.get(condition.question)
    if source is None:
        return [("question", "must name an earlier question")]
    if condition.any_of is None and condition.at_least is None and condition.at_most is None:
        return [("any_of", "give any_of, at_least or at_most")]
    if condition.any_of is not None and source.type in ("single_choice", "multiple_choice"):
        known = {option.id for option in source.options}
        unknown = [str(v) for v in condition.any_of if v not in known]
        if unknown:
            return [("any_of", f"not options of {source.id}: {', '.join(unknown)}")]
    if (condition.at_least is not None or condition.at_most is not None) and source.type not in (*RATED, "nps"):
        return [("at_least", "ranges apply to scale questions only")]
    return []


def condition_met(condition: Condition, answer: Any) -> bool:
    """An unanswered source question hides the dependent question."""
    if answer is None:
        return False
    values = answer if isinstance(answer, list) else [answer]
    if condition.any_of is not None and not any(value in condition.any_of for value in values):
        return False
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if condition.at_least is not None and not any(v >= condition.at_least for v in numbers):
        return False
    return not (condition.at_most is not None and not any(v <= condition.at_most for v in numbers))
