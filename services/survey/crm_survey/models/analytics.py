"""Reply shapes of the analytics routes: a dealer's figures, its weaknesses, the carmaker's ranking.

The figures are computed in `handlers.analytics`; these models name and document them.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_survey.domain.templates import SurveyKind


class Figures(BaseModel):
    """The headline figures of a set of answers; a mean is null while nothing was answered."""

    index: float | None = Field(description="Mean of the respondents' 1,000-point indices, one decimal")
    nps: float | None = Field(description="Net promoter score, −100 to 100: the mean of ±100/0 points")
    satisfaction_ratio: float | None = Field(description="Mean C = experience / expectation; 1 or more is satisfied")
    responses: int = Field(description="Answers received")
    invitations_sent: int = Field(description="Invitations sent in the period")
    response_rate: float | None = Field(description="Answered invitations over invitations sent, 0–1")


class MonthFigures(Figures):
    month: str = Field(description="YYYY-MM")


class AdvisorFigures(Figures):
    advisor_id: str | None = Field(description="The service advisor; null for answers about none in particular")


class RankedDealer(Figures):
    rank: int | None = Field(description="1 is best; ties share a rank; null for a dealer without an index")
    dealer_id: str


class Period(BaseModel):
    """Whole months, both ends included."""

    model_config = ConfigDict(populate_by_name=True)

    first: str = Field(alias="from", description="First month, YYYY-MM")
    last: str = Field(alias="to", description="Last month, YYYY-MM (included)")


class DealerPeriod(Period):
    dealer_id: str
    kind: SurveyKind
    advisor_id: str | None = Field(description="The service advisor the figures are limited to, if any")


class DealerOverview(Figures, DealerPeriod):
    """A dealer's (or one advisor's) figures over the period, month by month and advisor by advisor."""

    factor_scores: dict[str, float | None] = Field(
        description="Factor id -> mean score on the 1–10 scale, for each factor of the current template")
    pair_ratios: dict[str, float] = Field(
        description="Expectation/experience question id -> its mean C (experience / expectation)")
    trend: list[MonthFigures] = Field(description="Each month with figures, oldest first")
    advisors: list[AdvisorFigures] = Field(description="Per advisor; empty when the figures are one advisor's")


class Weakness(BaseModel):
    """A factor or question where the dealer trails the network."""

    level: Literal["factor", "question"]
    id: str = Field(description="The factor's or the question's id")
    factor: str = Field(description="The factor it weighs on")
    text: str | None = Field(description="Its Chinese text in the current template")
    dealer_score: float
    network_score: float
    gap: float = Field(description="Dealer minus network, on the 1–10 scale (negative)")
    index_impact: float = Field(description="Index points this gap costs the dealer (negative)")


class DealerWeaknesses(DealerPeriod):
    """CS弱项查找: the weaknesses that pull the dealer's index down most, the costliest first."""

    index: float | None = Field(description="The dealer's 1,000-point index")
    network_index: float | None = Field(description="The whole network's 1,000-point index")
    weaknesses: list[Weakness]


class NetworkRanking(Period):
    """The carmaker's view: the dealers the caller may see, ranked by index."""

    kind: SurveyKind
    network: Figures | None = Field(description="The whole network's figures; null for a caller limited to "
                                                "some dealers")
    dealers: list[RankedDealer] = Field(description="Ranked dealers first, then those without an index")
