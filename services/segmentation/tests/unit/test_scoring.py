"""The dealer batch and single-customer placement on a hand-made dealer."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from crm_segmentation.domain import facts, scoring
from crm_segmentation.domain.facts import VisitFact
from crm_segmentation.domain.retention import Thresholds

TODAY = date(2025, 6, 30)


def service(days_ago: int, amount: str, margin: str | None = None) -> VisitFact:
    return VisitFact("car", "service", "maintenance", TODAY - timedelta(days=days_ago), Decimal(amount),
                     Decimal(margin) if margin else None)


def test_customer_facts_from_visits():
    visits = [service(10, "1000", "300"), service(10, "200"), service(400, "800", "100"),
              VisitFact("car", "purchase", "new_car", date(2022, 1, 5), Decimal("150000"), Decimal("6000"))]
    got = facts.customer_facts(visits, TODAY, default_margin_rate=0.2)
    assert (got["visit_days"], got["visits_total"], got["visits_12m"], got["visits_prior_12m"]) == (3, 4, 2, 1)
    assert got["first_purchase_on"] == date(2022, 1, 5) and got["last_service_on"] == TODAY - timedelta(days=10)
    assert got["spend_12m"] == Decimal("1200") and got["margin_12m"] == Decimal("340.00")
    assert got["margin_total"] == Decimal("6440.00")


def test_batch_ranks_exactly_and_single_customers_land_on_the_same_scores():
    rng = np.random.default_rng(3)
    n = 200
    histories = scoring.Histories(
        visit_days=rng.integers(1, 12, n).astype(float), days_since_first=rng.uniform(400, 2000, n),
        days_since_last=rng.uniform(0, 390, n), visits_total=rng.integers(1, 15, n).astype(float),
        spend_total=rng.uniform(100, 50_000, n).round(2), margin_total=rng.uniform(10, 9_000, n).round(2),
        margin_12m=rng.uniform(0, 3_000, n).round(2))
    fit, batch = scoring.fit_dealer(histories, scoring.Policy())
    assert fit.customers == n and fit.bgnbd is not None and fit.gamma_gamma is not None
    assert np.bincount(batch.monetary_score)[1:].tolist() == [40] * 5  # quintiles hold a fifth each
    placed = scoring.score(histories, fit, scoring.Policy())
    # distinct spends: placing each customer on the stored cut points gives its batch quintile back
    assert (placed.monetary_score == batch.monetary_score).all()
    assert (placed.recency_score == batch.recency_score).all()
    assert (placed.abc_class == batch.abc_class).all()
    assert ((batch.p_alive > 0) & (batch.p_alive <= 1)).all() and (batch.clv >= 0).all()
    # manual CLV = 12-month margin × Σ 1/1.08^t over 5 years
    assert batch.clv_manual[0] == pytest.approx(histories.margin_12m[0] * 3.99271, rel=1e-5)


def test_too_few_customers_get_ranks_but_no_model():
    one = facts.histories([facts.customer_facts([service(30, "500", "100")], TODAY, 0.2)], TODAY)
    fit, scores = scoring.fit_dealer(one, scoring.Policy())
    assert fit.bgnbd is None and np.isnan(scores.p_alive[0])
    assert scores.recency_score[0] == 1 and scores.abc_class[0] == "A"
    profile = facts.profile_scores(facts.customer_facts([service(30, "500", "100")], TODAY, 0.2),
                                   [], scores.row(0), fit, TODAY, Thresholds())
    assert profile["rfm_segment"] == "hibernating" and profile["p_alive"] is None
    assert profile["value_type"] == "vip"  # alone, it sits at both medians
