"""Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma model of monetary value", 2013 note).

A customer's spend per visit is Gamma(p, ν) around its own mean, and ν ~ Gamma(q, γ) across customers.
Input per repeat customer: x visits and their mean value m̄ₓ (here margin per visit).
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


@dataclass(frozen=True)
class Params:
    p: float
    q: float
    gamma: float


def log_likelihood(params: Params, x, mean_value) -> np.ndarray:
    """Equation (3) of the note, per customer, for x ≥ 1 and m̄ₓ > 0."""
    return _Summary(x, mean_value).log_likelihood(params)


class _Summary:
    """The gamma functions of equation (3) depend on x alone: worked out once per distinct x per step."""

    def __init__(self, x, mean_value):
        self.x, self.m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
        self.distinct, self.which = np.unique(self.x, return_inverse=True)
        self.log_m, self.log_x = np.log(self.m), np.log(self.x)

    def log_likelihood(self, params: Params) -> np.ndarray:
        p, q, g = params.p, params.q, params.gamma
        d = self.distinct
        by_x = special.gammaln(p * d + q) - special.gammaln(p * d) - special.gammaln(q) + q * np.log(g)
        px = p * self.x
        return by_x[self.which] + (px - 1) * self.log_m + px * self.log_x - (px + q) * np.log(g + self.m * self.x)


def fit(x, mean_value, *, start: Params = Params(1.0, 1.0, 1.0)) -> Params:
    """As `bgnbd.fit`: L-BFGS-B to get close, Nelder-Mead to settle."""
    summary = _Summary(x, mean_value)

    def negative(log_params: np.ndarray) -> float:
        value = -summary.log_likelihood(Params(*np.exp(log_params))).sum()
        return value if np.isfinite(value) else 1e300

    result = optimize.minimize(negative, np.log([start.p, start.q, start.gamma]), method="L-BFGS-B")
    result = optimize.minimize(negative, result.x, method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 4_000, "maxfev": 4_000})
    return Params(*(float(v) for v in np.exp(result.x)))


def expected_value(params: Params, x, mean_value, population_mean: float | None = None) -> np.ndarray:
    """Equation (5): E[M | p, q, γ, m̄ₓ, x] = (γ + m̄ₓ x)·p / (p x + q − 1); with x = 0, the population mean."""
    p, q, g = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    population = p * g / (q - 1) if population_mean is None else population_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = (g + m * x) * p / (p * x + q - 1)
    return np.where(x > 0, conditional, population)
