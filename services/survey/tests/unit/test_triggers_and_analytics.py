"""When surveys go out or are suppressed, weakness finding, ranking and the public rate limit."""

from datetime import UTC, date, datetime, timedelta

from crm_survey.domain.analytics import Sum, find_weaknesses, month_of, rank_dealers
from crm_survey.domain.defaults import shipped_definitions
from crm_survey.domain.triggers import (
    CustomerState,
    SurveyRules,
    survey_kind_for_visit,
    visit_send_at,
    visit_suppression,
)

RULES = SurveyRules(ssi_delay_days=3, csi_delay_hours=24, quiet_period_days=90, stale_visit_days=30)
WELCOME = CustomerState(known=True, survey_consent=True, erased=False)


def test_purchases_lead_to_ssi_and_closed_service_visits_to_csi():
    assert survey_kind_for_visit("purchase", closed=True) == "ssi"
    assert survey_kind_for_visit("service", closed=True) == "csi"
    assert survey_kind_for_visit("service", closed=False) is None
    assert survey_kind_for_visit("parts", closed=True) is None


def test_send_times_ssi_on_day_n_mid_morning_china_time_csi_m_hours_after_closing():
    recorded = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert visit_send_at("ssi", RULES, date(2026, 3, 2), recorded) == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    assert visit_send_at("csi", RULES, date(2026, 3, 2), recorded) == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)


def suppression(customer=WELCOME, visited_on=date(2026, 3, 2), recent=()):
    send_at = datetime(2026, 3, 3, 8, tzinfo=UTC)
    return visit_suppression(customer, RULES, visited_on=visited_on, send_at=send_at, recent_sends=list(recent),
                             today=date(2026, 3, 2))


def test_suppression_reasons():
    assert suppression() is None
    assert suppression(CustomerState(True, survey_consent=False, erased=False)) == "no_consent"
    assert suppression(CustomerState(True, survey_consent=True, erased=True)) == "erased"
    assert suppression(visited_on=date(2026, 1, 1)) == "stale_visit"
    last_survey = datetime(2026, 3, 3, 8, tzinfo=UTC) - timedelta(days=89)
    assert suppression(recent=[last_survey]) == "quiet_period"
    assert suppression(recent=[last_survey - timedelta(days=2)]) is None


def test_month_of_uses_china_time():
    assert month_of(datetime(2026, 1, 31, 17, tzinfo=UTC)) == date(2026, 2, 1)  # 01:00 on 1 Feb in Beijing
    assert month_of(datetime(2026, 1, 31, 15, tzinfo=UTC)) == date(2026, 1, 1)


def test_weaknesses_are_the_gaps_below_the_network_weighted_by_their_share_of_the_index():
    csi = shipped_definitions()["csi"]
    dealer = {"factor:vehicle_pickup": 6.0, "question:ready_on_time": 5.0, "question:charges_explained": 7.0,
              "factor:service_advisor": 9.0, "factor:service_quality": 8.0}
    network = {"factor:vehicle_pickup": 8.0, "question:ready_on_time": 8.0, "question:charges_explained": 8.0,
               "factor:service_advisor": 8.0, "factor:service_quality": 8.5}
    found = [(w.level, w.id, w.gap, w.index_impact) for w in find_weaknesses(csi, dealer, network)]
    assert found == [
        ("factor", "vehicle_pickup", -2.0, -40.0),  # 0.20 × −2 × 100
        ("question", "ready_on_time", -3.0, -30.0),  # 0.20 / 2 questions × −3 × 100
        ("factor", "service_quality", -0.5, -11.0),  # 0.22 × −0.5 × 100
        ("question", "charges_explained", -1.0, -10.0),
    ]


def test_dealers_rank_by_index_and_ties_share_a_rank():
    assert rank_dealers({"D1": 780.0, "D2": 812.5, "D3": 780.0, "D4": 700.0}) == [
        (1, "D2", 812.5), (2, "D1", 780.0), (2, "D3", 780.0), (4, "D4", 700.0)]
    assert Sum(1622.0, 2).mean == 811.0 and Sum(0, 0).mean is None
