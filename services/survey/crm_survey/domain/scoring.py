"""Scores of one response: factor means, the 1,000-point index, NPS and C = b/a.

Index (J.D. Power China style): Σ_f w_f · (mean 1–10 rating of factor f) × 100. A 1–5 answer is put
on the 1–10 scale linearly (1 -> 1, 5 -> 10). When a respondent skipped every question of a factor
(conditional or optional), the remaining weights are rescaled so the index stays on 1,000 points.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from crm_survey.domain.templates import RATED, Question, TemplateDefinition

NpsCategory = Literal["promoter", "passive", "detractor"]
NPS_POINTS = {"promoter": 100, "passive": 0, "detractor": -100}


@dataclass(frozen=True)
class Scores:
    index: float | None
    factor_scores: dict[str, float]
    question_scores: dict[str, float]  # rated questions, on the 1–10 scale
    nps: int | None
    nps_category: NpsCategory | None
    pair_ratios: dict[str, float] = field(default_factory=dict)
    satisfaction_ratio: float | None = None


@dataclass(frozen=True)
class HotAlert:
    question_id: str
    score: float  # the answer as given, on the question's own scale
    comment: str | None


def rating_on_ten(question: Question, value: int) -> float:
    if question.type == "scale_5":
        return 1 + (value - 1) * 9 / 4
    return float(value)


def nps_category(value: int) -> NpsCategory:
    if value >= 9:
        return "promoter"
    return "passive" if value >= 7 else "detractor"


def net_promoter_score(ratings: list[int]) -> float | None:
    """%promoters − %detractors, from −100 to 100."""
    if not ratings:
        return None
    return sum(NPS_POINTS[nps_category(r)] for r in ratings) / len(ratings)


def satisfaction_ratio(expectation: int, experience: int) -> float:
    """C = b/a: experience over expectation; C ≥ 1 means satisfied."""
    return experience / expectation


def weighted_index(factor_means: dict[str, float], weights: dict[str, float]) -> float | None:
    answered = {f: mean for f, mean in factor_means.items() if f in weights}
    total_weight = sum(weights[f] for f in answered)
    if not answered or total_weight == 0:
        return None
    return sum(weights[f] * mean for f, mean in answered.items()) / total_weight * 100


def score(definition: TemplateDefinition, answers: dict[str, Any]) -> Scores:
    """Answers must have passed `answer_errors`."""
    question_scores: dict[str, float] = {}
    by_factor: dict[str, list[float]] = {}
    nps_value: int | None = None
    ratios: dict[str, float] = {}
    for question in definition.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type in RATED:
            rating = rating_on_ten(question, value)
            question_scores[question.id] = rating
            if question.factor:
                by_factor.setdefault(question.factor, []).append(rating)
        elif question.type == "nps" and nps_value is None:
            nps_value = value
        elif question.type == "expectation_experience":
            ratios[question.id] = satisfaction_ratio(value["expectation"], value["experience"])
    factor_scores = {f: sum(r) / len(r) for f, r in by_factor.items()}
    index = weighted_index(factor_scores, definition.factor_weights())
    return Scores(
        index=round(index, 2) if index is not None else None,
        factor_scores={f: round(s, 4) for f, s in factor_scores.items()},
        question_scores=question_scores,
        nps=nps_value,
        nps_category=nps_category(nps_value) if nps_value is not None else None,
        pair_ratios={q: round(c, 4) for q, c in ratios.items()},
        satisfaction_ratio=round(sum(ratios.values()) / len(ratios), 4) if ratios else None,
    )


def hot_alert(definition: TemplateDefinition, answers: dict[str, Any], scores: Scores) -> HotAlert | None:
    """The worst poor answer of a response: an index answer at or under the threshold, or an NPS detractor.

    One alert per response, because the dealer opens one complaint case per unhappy customer.
    """
    candidates: list[tuple[float, int, str, float]] = []
    for position, question in enumerate(definition.questions):
        value = answers.get(question.id)
        if value is None:
            continue
        if question.factor and scores.question_scores[question.id] <= definition.hot_alert_threshold:
            candidates.append((scores.question_scores[question.id], position, question.id, value))
        elif question.type == "nps" and nps_category(value) == "detractor":
            candidates.append((float(value), position, question.id, value))
    if not candidates:
        return None
    _, _, question_id, value = min(candidates)
    texts = [answers[q.id].strip() for q in definition.questions if q.type == "text" and answers.get(q.id)]
    return HotAlert(question_id=question_id, score=float(value), comment="\n".join(texts) or None)


def rollup_metrics(scores: Scores) -> dict[str, float]:
    """What a response adds to the monthly sums analytics read; every figure is a mean of these values.

    NPS is the mean of +100 (promoter), 0 (passive) and −100 (detractor) per respondent.
    """
    metrics: dict[str, float] = {"answered": 1}
    if scores.index is not None:
        metrics["index"] = scores.index
    metrics |= {f"factor:{f}": s for f, s in scores.factor_scores.items()}
    metrics |= {f"question:{q}": s for q, s in scores.question_scores.items()}
    if scores.nps_category is not None:
        metrics["nps"] = NPS_POINTS[scores.nps_category]
    if scores.satisfaction_ratio is not None:
        metrics["ratio"] = scores.satisfaction_ratio
    metrics |= {f"pair:{q}": c for q, c in scores.pair_ratios.items()}
    return metrics
