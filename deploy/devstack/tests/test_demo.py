"""The demo dealer's data: the same on a re-run, never dated in the future, and with last days that the
survey and care flows will act on."""

import random
from datetime import date, timedelta

from crm_devstack.demo import RECENT_PURCHASES, SURVEY_HISTORY_MONTHS, VIN_VALUES, VIN_WEIGHTS, generate
from crm_devstack.demo_api import answers_for, consumer_lag
from crm_survey.domain.answers import answer_errors
from crm_survey.domain.defaults import shipped_definitions
from crm_survey.domain.scoring import hot_alert, score

TODAY = date(2026, 11, 28)


def test_a_rerun_on_the_same_day_generates_exactly_the_same_rows():
    first, second = generate(count=200, today=TODAY), generate(count=200, today=TODAY)
    assert (first.customers, first.vehicles, first.visits, first.recent_visits, first.consenting,
            first.past_surveys) == (second.customers, second.vehicles, second.visits, second.recent_visits,
                                    second.consenting, second.past_surveys)


def test_the_next_day_adds_its_own_visits_and_repeats_no_order_number():
    today, tomorrow = generate(count=200, today=TODAY), generate(count=200, today=TODAY + timedelta(days=1))
    orders = [visit["order_number"] for visit in today.visits + today.recent_visits]
    assert len(orders) == len(set(orders))
    assert today.visits == tomorrow.visits, "the history does not move with the date"
    recent_today = {v["order_number"] for v in today.recent_visits}
    recent_tomorrow = {v["order_number"] for v in tomorrow.recent_visits}
    assert recent_today and recent_tomorrow and not recent_today & recent_tomorrow


def test_the_last_days_are_recent_visits_of_consenting_customers_and_cars_with_valid_vins():
    dealer = generate(count=400, today=TODAY)
    recent = dealer.recent_visits
    assert all(TODAY - timedelta(days=12) <= date.fromisoformat(v["visited_on"]) < TODAY for v in recent)
    assert {v["customer_mobile"] for v in recent} == set(dealer.consenting)
    purchases = [v for v in recent if v["kind"] == "purchase"]
    assert len(purchases) == RECENT_PURCHASES
    vins = {v["vin"] for v in dealer.vehicles}
    assert all(v["vin"] in vins and _check_digit_valid(v["vin"]) for v in purchases)
    assert all(date.fromisoformat(v["delivery_date"]) <= TODAY for v in dealer.vehicles
               if v["vin"] in {p["vin"] for p in purchases})


def test_a_year_of_past_surveys_before_this_month():
    dealer = generate(count=200, today=TODAY)
    months = {on.replace(day=1) for _, _, _, on, _ in dealer.past_surveys}
    assert len(months) == SURVEY_HISTORY_MONTHS and max(months) < TODAY.replace(day=1)
    assert {kind for _, _, kind, _, _ in dealer.past_surveys} == {"ssi", "csi"}


def test_generated_answers_fit_the_shipped_templates_and_only_unhappy_ones_alert():
    rng = random.Random(3)
    for kind, definition in shipped_definitions().items():
        if kind == "follow_up":
            continue
        questions = [q.model_dump(mode="json", exclude_none=True) for q in definition.questions]
        for mood in ("delighted", "content", "unhappy"):
            for _ in range(20):
                answers = answers_for(questions, mood, rng)
                assert answer_errors(definition, answers) == [], (kind, mood, answers)
                rated = {k: v for k, v in answers.items() if not isinstance(v, str)}
                alert = hot_alert(definition, answers, score(definition, rated))
                assert (alert is not None) == (mood == "unhappy"), (kind, mood, answers)


def test_the_lag_segmentation_reports_is_summed_over_partitions_of_the_topic():
    metrics = """# HELP crm_consumer_lag_messages lag
crm_consumer_lag_messages{partition="0",service="segmentation",topic="crm.customer.v1"} 12.0
crm_consumer_lag_messages{partition="1",service="segmentation",topic="crm.customer.v1"} 30.0
crm_consumer_lag_messages{partition="0",service="segmentation",topic="crm.care.v1"} 99.0
"""
    assert consumer_lag(metrics) == 42
    assert consumer_lag("") == 0


def _check_digit_valid(vin: str) -> bool:
    check = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True)) % 11
    return vin[8] == ("X" if check == 10 else str(check))
