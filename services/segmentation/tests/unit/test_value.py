"""Value types, lifecycle stages, churn reasons and the manual CLV formula."""

import pytest

from crm_segmentation.domain import clv, value
from crm_segmentation.domain.value import Activity


def test_value_type_from_current_and_potential_value_against_the_medians():
    assert value.value_type(9000, 20000, 5000, 10000) == "vip"
    assert value.value_type(1000, 20000, 5000, 10000) == "improve"
    assert value.value_type(9000, 3000, 5000, 10000) == "maintain"
    assert value.value_type(1000, 3000, 5000, 10000) == "abandon"
    assert value.value_type(0, 0, 0, 0) == "abandon"  # worth nothing is never "high"
    assert value.VALUE_TYPES["vip"] == "贵宾型"


def activity(**changes) -> Activity:
    base = dict(visits_total=6, months_since_first_visit=40, months_since_last_visit=3, visits_12m=2,
                visits_prior_12m=2, vehicle_statuses=["active"], p_alive=0.9)
    return Activity(**{**base, **changes})


def test_lifecycle_stages_by_the_documented_rules():
    assert value.lifecycle_stage(activity(visits_total=0), 24) == "prospect"
    assert value.lifecycle_stage(activity(vehicle_statuses=["lost", "lost"]), 24) == "terminated"
    assert value.lifecycle_stage(activity(months_since_last_visit=30, vehicle_statuses=[]), 24) == "terminated"
    assert value.lifecycle_stage(activity(vehicle_statuses=["active", "dormant"]), 24) == "decline"
    assert value.lifecycle_stage(activity(p_alive=0.3), 24) == "decline"
    assert value.lifecycle_stage(activity(visits_12m=1, visits_prior_12m=3), 24) == "decline"
    assert value.lifecycle_stage(activity(months_since_first_visit=10), 24) == "growth"
    assert value.lifecycle_stage(activity(), 24) == "maturity"


def test_churn_reasons_a_person_can_read():
    reasons = value.churn_reasons([(14, 6.0, "RAV4"), (4, 6.0, "Corolla")], p_alive=0.22, first_services_lost=1)
    assert reasons == ["RAV4: 14 months since last service; usual interval 6 months", "P(alive) 0.22",
                       "first service missed"]
    assert value.churn_reasons([(7, 6.0, None)], None, 0) == []  # a month late is not yet a risk
    assert value.churn_risk(reasons, 0.22, "decline") == "high"
    assert value.churn_risk(["x"], 0.6, "maturity") == "medium"
    assert value.churn_risk([], 0.9, "maturity") == "low"


def test_manual_clv_discounts_each_years_margin():
    # 3 years of 1,000 margin at 10%: 1000/1.1 + 1000/1.21 + 1000/1.331 = 2486.85
    assert clv.manual_clv(1000, years=3, discount_rate=0.1) == pytest.approx(2486.85, abs=0.01)
    # with a yearly cost of 200 and the Gupta retention weight 0.8: 800·(0.8/1.1 + 0.64/1.21 + 0.512/1.331)
    assert clv.manual_clv(1000, years=3, discount_rate=0.1, yearly_cost=200, retention=0.8) == pytest.approx(
        800 * (0.8 / 1.1 + 0.64 / 1.21 + 0.512 / 1.331))


def test_model_clv_discounts_each_years_expected_visits():
    from crm_segmentation.domain import bgnbd

    cdnow = bgnbd.Params(0.243, 4.414, 0.793, 2.426)
    x, t_x, T = [2], [30.43], [38.86]
    first_year = bgnbd.expected_visits(cdnow, 52.1775, x, t_x, T)[0]
    two_years = bgnbd.expected_visits(cdnow, 2 * 52.1775, x, t_x, T)[0]
    assert clv.model_clv(cdnow, x, t_x, T, [100.0], years=1, yearly_discount=0.1)[0] == pytest.approx(
        first_year * 100 / 1.1)
    assert clv.model_clv(cdnow, x, t_x, T, [100.0], years=2, yearly_discount=0.1)[0] == pytest.approx(
        first_year * 100 / 1.1 + (two_years - first_year) * 100 / 1.21)
