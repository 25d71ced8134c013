"""What a respondent's client gets at `/s/{token}`: the questionnaire in one language, and any answer given."""

from datetime import datetime

from pydantic import BaseModel, Field

from crm_survey.domain.templates import Condition, Language, QuestionType, SurveyKind
from crm_survey.models.api import InvitationStatus, PublicReceipt


class OptionShown(BaseModel):
    id: str
    text: str


class QuestionShown(BaseModel):
    """A question in the respondent's language. Keys that do not apply to its type are left out, not null."""

    id: str
    type: QuestionType
    text: str
    required: bool
    min: int | None = Field(None, description="Lowest answer; only on scale and NPS questions")
    max: int | None = Field(None, description="Highest answer; only on scale and NPS questions")
    options: list[OptionShown] | None = Field(None, description="Only on choice questions")
    show_if: Condition | None = Field(None, description="Only on questions shown after a matching earlier answer")


class Questionnaire(BaseModel):
    kind: SurveyKind
    language: Language
    expires_at: datetime
    status: InvitationStatus
    title: str
    questions: list[QuestionShown]
    response: PublicReceipt | None = Field(description="The answer already given through this link, if any")
