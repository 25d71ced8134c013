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
    p, q, g = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(g)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x))


def fit(x, mean_value, *, start: Params = Params(1.0, 1.0, 1.0)) -> Params:
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)

    def negative(log_params: np.ndarray) -> float:
        value = -log_likelihood(Params(*np.exp(log_params)), x, m).sum()
        return value if np.isfinite(value) else 1e300

    result = optimize.minimize(negative, np.log([start.p, start.q, start.gamma]), method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 10_000, "maxfev": 10_000})
    result = optimize.minimize(negative, result.x, method="L-BFGS-B")
    return Params(*(float(v) for v in np.exp(result.x)))


def expected_value(params: Params, x, mean_value, population_mean: float | None = None) -> np.ndarray:
    """Equation (5): E[M | p, q, γ, m̄ₓ, x] = (γ + m̄ₓ x)·p / (p x + q − 1); with x = 0, the population mean."""
    p, q, g = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    population = p * g / (q - 1) if population_mean is None else population_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = (g + m * x) * p / (p * x + q - 1)
    return np.where(x > 0, conditional, population)
