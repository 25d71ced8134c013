"""The fitting code reproduces the published CDNOW parameters (the data is the file `lifetimes` ships).

Fader, Hardie & Lee (2005), 2,357 customers of the 1997 cohort, 39 weeks: r = 0.243, α = 4.414,
a = 0.793, b = 2.426, log-likelihood −9,582.4. Fader & Hardie's Gamma-Gamma note, the 946 customers
with repeat purchases: p = 6.25, q = 3.74, γ = 15.44.
"""

import csv
import importlib.metadata

import numpy as np
import pytest

from crm_segmentation.domain import bgnbd, gamma_gamma


def cdnow(name: str) -> list[dict]:
    path = importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}")
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def columns(rows: list[dict], *names: str) -> list[np.ndarray]:
    return [np.array([float(row[name]) for row in rows]) for name in names]


def test_bg_nbd_fit_reproduces_fader_hardie_lee_2005():
    rows = cdnow("cdnow_customers_summary.csv")
    x, t_x, T = columns(rows, "frequency", "recency", "T")
    assert len(rows) == 2357
    fitted = bgnbd.fit(x, t_x, T)
    assert fitted.r == pytest.approx(0.243, abs=0.001)
    assert fitted.alpha == pytest.approx(4.414, abs=0.002)
    assert fitted.a == pytest.approx(0.793, abs=0.001)
    assert fitted.b == pytest.approx(2.426, abs=0.002)
    assert bgnbd.log_likelihood(fitted, x, t_x, T).sum() == pytest.approx(-9582.4, abs=0.1)


def test_bg_nbd_conditional_expectation_matches_the_papers_worked_example():
    published = bgnbd.Params(0.243, 4.414, 0.793, 2.426)
    # the paper's customer with 2 repeat purchases, the last at week 30.43 of 38.86: 1.226 in the next 39 weeks
    assert bgnbd.expected_visits(published, 39, [2], [30.43], [38.86])[0] == pytest.approx(1.226, abs=0.001)
    # a customer with no repeat purchase is certainly alive in this model
    assert bgnbd.probability_alive(published, [0], [0], [38.86])[0] == 1.0


def test_gamma_gamma_fit_reproduces_fader_hardie_note():
    rows = cdnow("cdnow_customers_summary_with_transactions.csv")
    x, mean_value = columns(rows, "x", "zbar")
    repeat = x > 0
    assert repeat.sum() == 946
    fitted = gamma_gamma.fit(x[repeat], mean_value[repeat])
    assert fitted.p == pytest.approx(6.25, abs=0.01)
    assert fitted.q == pytest.approx(3.74, abs=0.01)
    assert fitted.gamma == pytest.approx(15.44, abs=0.02)


def test_gamma_gamma_expected_value_shrinks_towards_the_population_mean():
    published = gamma_gamma.Params(6.25, 3.74, 15.44)
    population = 6.25 * 15.44 / (3.74 - 1)
    assert gamma_gamma.expected_value(published, [0], [0])[0] == pytest.approx(population)
    one_visit, many_visits = gamma_gamma.expected_value(published, [1, 20], [100.0, 100.0])
    assert population < one_visit < many_visits < 100.0
    # (γ + m x) p / (p x + q − 1) by hand for x = 1, m = 100
    assert one_visit == pytest.approx((15.44 + 100) * 6.25 / (6.25 + 3.74 - 1))
