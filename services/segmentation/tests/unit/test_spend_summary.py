"""The summary both models read, built from raw visits: repeat visit DAYS, the first day left out.

CDNOW's raw 1/10th sample (a row per purchase: master id, sample id, date, CDs, dollars) summarised by
`batch.summarise` gives Fader & Hardie's own summary file customer by customer (x, t_x, T and the mean
repeat transaction value zbar), so the fit on it lands on the published parameters.
"""

import csv
import importlib.metadata
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from crm_segmentation.domain import batch, facts, rfm, scoring, value
from crm_segmentation.domain.facts import VisitFact
from crm_segmentation.domain.retention import Thresholds

CALIBRATION_END = date(1997, 9, 30)  # the papers' 39 weeks: 1997-01-01 to 1997-09-30


def dataset(name: str) -> str:
    return str(importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}"))


def cdnow_sample_visits() -> tuple[list[str], batch.VisitColumns]:
    """The raw sample's calibration-period purchases as visit columns, the customers in id order."""
    with open(dataset("CDNOW_sample.txt")) as file:
        rows = [line.split() for line in file if line.strip()]
    customers = sorted({row[1] for row in rows}, key=int)  # the sample's own ids 1..2357
    position = {customer: i for i, customer in enumerate(customers)}
    bought = [(row[1], date(int(row[2][:4]), int(row[2][4:6]), int(row[2][6:])), float(row[4])) for row in rows]
    bought = [b for b in bought if b[1] <= CALIBRATION_END]
    dollars = np.array([b[2] for b in bought])
    return customers, batch.VisitColumns(
        customer=np.array([position[b[0]] for b in bought]),
        days_ago=np.array([(CALIBRATION_END - b[1]).days for b in bought]),
        amount=dollars, margin=dollars, kind=np.ones(len(bought), dtype=np.int16))


def test_raw_cdnow_sample_summarises_to_fader_hardies_summary():
    customers, visits = cdnow_sample_visits()
    histories, _ = batch.summarise(visits, len(customers))
    with open(dataset("cdnow_customers_summary_with_transactions.csv"), newline="") as file:
        published = list(csv.DictReader(file))
    assert [row["ID"] for row in published] == [str(int(c)) for c in customers]
    x, t_x, T = scoring._model_inputs(histories)
    assert x.tolist() == [float(row["x"]) for row in published]
    assert np.allclose(t_x, [float(row["t_x"]) for row in published], atol=0.01)
    assert np.allclose(T, [float(row["T"]) for row in published], atol=0.01)
    zbar = np.array([float(row["zbar"]) for row in published])
    assert np.allclose(scoring.repeat_day_value(histories), zbar, atol=0.006)


def test_dealer_fit_on_raw_cdnow_visits_gives_the_published_parameters():
    customers, visits = cdnow_sample_visits()
    histories, _ = batch.summarise(visits, len(customers))
    fit, scores = scoring.fit_dealer(histories, scoring.Policy(), np.random.default_rng(0))
    assert (fit.bgnbd.r, fit.bgnbd.alpha, fit.bgnbd.a, fit.bgnbd.b) == pytest.approx(
        (0.243, 4.414, 0.793, 2.426), abs=0.002)
    assert (fit.gamma_gamma.p, fit.gamma_gamma.q, fit.gamma_gamma.gamma) == pytest.approx(
        (6.25, 3.74, 15.44), abs=0.01)
    # customer 1 of the note: 2 repeat days worth 22.35 on average -> E[M] = (γ + 2·22.35)·p / (2p + q − 1)
    assert scores.margin_per_visit[0] == pytest.approx((15.44 + 2 * 22.345) * 6.25 / (2 * 6.25 + 3.74 - 1),
                                                       rel=2e-3)


TODAY = date(2025, 6, 30)


def visit(days_ago: int, amount: str, margin: str | None, kind: str = "service") -> VisitFact:
    return VisitFact("car", kind, "maintenance", TODAY - timedelta(days=days_ago), Decimal(amount),
                     Decimal(margin) if margin else None)


def test_one_day_is_one_transaction_and_the_first_day_is_not_a_repeat():
    # bought the car 900 days ago (with accessories the same day), then two service days, one with two orders
    visits = [visit(900, "150000", "6000", "purchase"), visit(900, "3000", "900", "purchase"),
              visit(400, "800", "300"), visit(30, "1000", None), visit(30, "500", "100")]
    row = facts.customer_facts(visits, TODAY, 0.2)
    repeat = facts.repeat_day_margin(visits, 0.2)
    one = facts.histories([row], TODAY, [repeat])
    assert (row["visit_days"], row["visits_total"]) == (3, 5)
    assert repeat == Decimal("600.00")  # 300 + (200 + 100): the car day's 6,900 is not a repeat
    assert scoring.repeat_day_value(one)[0] == pytest.approx(300.0)  # two repeat days
    columns = batch.VisitColumns(np.zeros(5, dtype=int), np.array([900, 900, 400, 30, 30]),
                                 np.array([150000, 3000, 800, 1000, 500.0]),
                                 np.array([6000, 900, 300, 200, 100.0]), np.array([1, 1, 2, 2, 2]))
    histories, summary = batch.summarise(columns, 1)
    for name in ("visit_days", "visits_total", "spend_total", "margin_total", "margin_12m", "repeat_margin",
                 "days_since_first", "days_since_last"):
        assert getattr(histories, name)[0] == pytest.approx(float(getattr(one, name)[0])), name
    assert (summary["first_purchase"][0], summary["last_service"][0], summary["visits_12m"][0]) == (900, 30, 2)


def test_columns_of_a_dealer_equal_the_one_customer_rules():
    """The batch's column path gives every customer without vehicles what `facts` gives one at a time."""
    rng = np.random.default_rng(5)
    people = 120
    visits = [[visit(int(d), f"{a:.2f}", f"{a * 0.3:.2f}" if rng.random() < 0.8 else None,
                     "purchase" if rng.random() < 0.1 else "service")
               for d, a in zip(rng.integers(0, 1500, k), rng.gamma(2, 500, k), strict=True)]
              for k in rng.integers(0, 9, people)]
    rows = [facts.customer_facts(v, TODAY, 0.2) for v in visits]
    one_by_one = facts.histories(rows, TODAY, [facts.repeat_day_margin(v, 0.2) for v in visits])
    flat = [(i, v) for i, vs in enumerate(visits) for v in vs]
    margins = [float(facts.visit_margin(v, 0.2)) for _, v in flat]
    columns = batch.VisitColumns(np.array([i for i, _ in flat]),
                                 np.array([(TODAY - v.visited_on).days for _, v in flat]),
                                 np.array([float(v.amount) for _, v in flat]), np.array(margins),
                                 np.array([1 if v.kind == "purchase" else 2 for _, v in flat]))
    histories, summary = batch.summarise(columns, people)
    for name in ("visit_days", "visits_total", "spend_total", "margin_total", "margin_12m", "repeat_margin"):
        assert getattr(histories, name) == pytest.approx(getattr(one_by_one, name)), name
    fit, scores = scoring.fit_dealer(histories, scoring.Policy(), np.random.default_rng(0))
    out = batch.profile_columns(histories, summary, scores, fit, TODAY, lost_months=24)
    names = {"rfm_segment": rfm.SEGMENT_CODES, "value_type": value.VALUE_TYPE_CODES,
             "lifecycle_stage": value.LIFECYCLE_CODES, "churn_risk": value.CHURN_RISKS,
             "abc_class": batch.ABC_CODES, "rfm_type": rfm.EIGHT_TYPE_NAMES}
    for i, row in enumerate(rows):
        expected = facts.profile_scores(row, [], scores.row(i), fit, TODAY, Thresholds())
        for field, codes in names.items():
            assert (codes[out[field][i] - 1] if out[field][i] else None) == expected[field], (i, field)
        for field in ("recency_score", "frequency_score", "monetary_score"):
            assert (int(out[field][i]) or None) == expected[field], (i, field)
        for field, digits in (("clv", 2), ("margin_per_visit", 2), ("p_alive", 4), ("expected_visits_12m", 3)):
            got = None if np.isnan(out[field][i]) else round(float(out[field][i]), digits)
            assert got == pytest.approx(None if expected[field] is None else float(expected[field]), abs=0.011), \
                (i, field)
        assert (summary["visits_12m"][i], summary["visits_prior_12m"][i]) == (row["visits_12m"],
                                                                              row["visits_prior_12m"])
        assert float(summary["spend_12m"][i]) == pytest.approx(float(row["spend_12m"]))
