"""Turning monthly sums into the figures a dealer acts on, and finding its weaknesses (CS弱项查找).

Every figure is a mean of per-response values (see `scoring.rollup_metrics`): the index is the mean
of respondents' indices, NPS the mean of ±100/0 points, the response rate the mean of answered (1) or
not (0) over invitations sent in the period.
"""

from dataclasses import dataclass
from datetime import date, datetime

from crm_survey.domain.templates import TemplateDefinition
from crm_survey.domain.triggers import DEALER_TIME


@dataclass(frozen=True)
class Sum:
    total: float
    count: int

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass(frozen=True)
class Weakness:
    level: str  # "factor" or "question"
    id: str
    factor: str
    dealer_score: float
    network_score: float
    gap: float  # dealer − network, on the 1–10 scale
    index_impact: float  # index points this gap costs the dealer (negative pulls down)


def means(sums: dict[str, Sum]) -> dict[str, float]:
    return {metric: s.mean for metric, s in sums.items() if s.mean is not None}


def find_weaknesses(definition: TemplateDefinition, dealer: dict[str, float],
                    network: dict[str, float]) -> list[Weakness]:
    """Factors and questions where the dealer trails the network, the costliest first.

    A factor's gap costs w_f × gap × 100 index points; a question's, an equal share of its factor's
    weight (a factor's score is the mean of its questions). Weights are the current template's.
    """
    weights = definition.factor_weights()
    total_weight = sum(weights.values()) or 1
    per_factor: dict[str, list[str]] = {}
    for question in definition.questions:
        if question.factor:
            per_factor.setdefault(question.factor, []).append(question.id)
    found: list[Weakness] = []
    for factor, weight in weights.items():
        share = weight / total_weight
        found += _gap("factor", factor, factor, share, dealer, network)
        questions = per_factor.get(factor, [])
        for question_id in questions:
            found += _gap("question", question_id, factor, share / len(questions), dealer, network)
    return sorted((w for w in found if w.gap < 0), key=lambda w: (w.index_impact, w.level, w.id))


def _gap(level: str, item: str, factor: str, weight: float, dealer: dict[str, float],
         network: dict[str, float]) -> list[Weakness]:
    metric = f"{level}:{item}"
    if metric not in dealer or metric not in network:
        return []
    gap = dealer[metric] - network[metric]
    return [Weakness(level, item, factor, round(dealer[metric], 4), round(network[metric], 4), round(gap, 4),
                     round(weight * gap * 100, 2))]


def rank_dealers(index_by_dealer: dict[str, float]) -> list[tuple[int, str, float]]:
    """Competition ranking (1, 2, 2, 4) by index, best first; ties share a rank."""
    ordered = sorted(index_by_dealer.items(), key=lambda item: (-item[1], item[0]))
    ranked, previous, rank = [], None, 0
    for position, (dealer, index) in enumerate(ordered, start=1):
        if index != previous:
            rank, previous = position, index
        ranked.append((rank, dealer, index))
    return ranked


def month_of(moment: datetime) -> date:
    """The reporting month of a moment, in dealer (China) time."""
    return moment.astimezone(DEALER_TIME).date().replace(day=1)
