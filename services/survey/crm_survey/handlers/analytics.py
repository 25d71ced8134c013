"""Analytics a dealer acts on: index, factors, NPS, C ratio, response rate, monthly trend, advisors,
weaknesses against the network; and the carmaker's ranking of dealers. All read the monthly sums."""

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.domain.analytics import Sum, find_weaknesses, means, rank_dealers
from crm_survey.handlers.common import definition_of, template_for
from crm_survey.repository import rollups

HEADLINE = ("index", "nps", "ratio", "answered", "response")


def _figures(sums: dict[str, Sum]) -> dict[str, Any]:
    mean = means(sums)
    response = sums.get("response")
    return {
        "index": _round(mean.get("index"), 1),
        "nps": _round(mean.get("nps"), 1),
        "satisfaction_ratio": _round(mean.get("ratio"), 4),
        "responses": int(sums["answered"].total) if "answered" in sums else 0,
        "invitations_sent": response.count if response else 0,
        "response_rate": _round(response.mean if response else None, 4),
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


async def dealer_overview(session: AsyncSession, dealer_id: str, kind: str, first: date, last: date,
                          advisor_id: str | None) -> dict[str, Any]:
    sums = await rollups.sums(session, kind, first, last, dealer_id=dealer_id, advisor_id=advisor_id)
    mean = means(sums)
    definition = definition_of(await template_for(session, dealer_id, kind))
    monthly = await rollups.monthly(session, kind, first, last, dealer_id, HEADLINE, advisor_id)
    advisors = {} if advisor_id is not None else await rollups.by_group(
        session, kind, first, last, HEADLINE, group="advisor_id", dealer_id=dealer_id)
    return {
        "dealer_id": dealer_id, "kind": kind, "advisor_id": advisor_id,
        "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"),
        **_figures(sums),
        "factor_scores": {f.id: _round(mean.get(f"factor:{f.id}"), 4) for f in definition.factors},
        "pair_ratios": {key.removeprefix("pair:"): round(value, 4) for key, value in sorted(mean.items())
                        if key.startswith("pair:")},
        "trend": [{"month": month.strftime("%Y-%m"), **_figures(monthly[month])} for month in sorted(monthly)],
        "advisors": [{"advisor_id": advisor or None, **_figures(figures)}
                     for advisor, figures in sorted(advisors.items())],
    }


async def weaknesses(session: AsyncSession, dealer_id: str, kind: str, first: date, last: date,
                     advisor_id: str | None) -> dict[str, Any]:
    definition = definition_of(await template_for(session, dealer_id, kind))
    dealer = means(await rollups.sums(session, kind, first, last, dealer_id=dealer_id, advisor_id=advisor_id))
    network = means(await rollups.sums(session, kind, first, last))
    texts = {f"factor:{f.id}": f.text.zh_cn for f in definition.factors}
    texts |= {f"question:{q.id}": q.text.zh_cn for q in definition.questions}
    found = find_weaknesses(definition, dealer, network)
    return {
        "dealer_id": dealer_id, "kind": kind, "advisor_id": advisor_id,
        "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"),
        "index": _round(dealer.get("index"), 1), "network_index": _round(network.get("index"), 1),
        "weaknesses": [{"level": w.level, "id": w.id, "factor": w.factor, "text": texts.get(f"{w.level}:{w.id}"),
                        "dealer_score": w.dealer_score, "network_score": w.network_score, "gap": w.gap,
                        "index_impact": w.index_impact} for w in found],
    }


async def network_ranking(session: AsyncSession, kind: str, first: date, last: date,
                          dealers: frozenset[str] | None) -> dict[str, Any]:
    per_dealer = await rollups.by_group(session, kind, first, last, HEADLINE, group="dealer_id", dealers=dealers)
    figures = {dealer: _figures(sums) for dealer, sums in per_dealer.items()}
    ranked = rank_dealers({d: f["index"] for d, f in figures.items() if f["index"] is not None})
    unranked = sorted(d for d, f in figures.items() if f["index"] is None)
    network = _figures(await rollups.sums(session, kind, first, last)) if dealers is None else None
    return {
        "kind": kind, "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "network": network,
        "dealers": [{"rank": rank, "dealer_id": dealer, **figures[dealer]} for rank, dealer, _ in ranked]
        + [{"rank": None, "dealer_id": dealer, **figures[dealer]} for dealer in unranked],
    }
