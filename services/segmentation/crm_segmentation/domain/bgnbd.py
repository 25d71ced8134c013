"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"), written from the paper.

A customer's visits follow a Poisson process with rate λ ~ Gamma(r, α) while alive; after each visit the
customer drops out with probability p ~ Beta(a, b). Input per customer: x repeat visits, t_x the time of
the last one and T the time observed, both measured from the first visit (in weeks here).
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


@dataclass(frozen=True)
class Params:
    r: float
    alpha: float
    a: float
    b: float


def log_likelihood(params: Params, x, t_x, T) -> np.ndarray:
    """Equation (6) of the paper, per customer, in logs (log-sum-exp for the x > 0 term)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ab = special.betaln(a, b)
    alive = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + T)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[repeat] = (special.betaln(a + 1, b + x[repeat] - 1) - beta_ab
                       - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    return common + np.logaddexp(alive, dropped)


def fit(x, t_x, T, *, start: Params = Params(1.0, 1.0, 1.0, 1.0)) -> Params:
    """Maximum likelihood over the log parameters (keeps them positive)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))

    def negative(log_params: np.ndarray) -> float:
        value = -log_likelihood(Params(*np.exp(log_params)), x, t_x, T).sum()
        return value if np.isfinite(value) else 1e300

    first = np.log([start.r, start.alpha, start.a, start.b])
    result = optimize.minimize(negative, first, method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 10_000, "maxfev": 10_000})
    result = optimize.minimize(negative, result.x, method="L-BFGS-B")
    return Params(*(float(v) for v in np.exp(result.x)))


def _alive_odds(params: Params, x, t_x, T) -> np.ndarray:
    """a/(b+x−1) · ((α+T)/(α+t_x))^(r+x) for x > 0, else 0: the odds that the customer has dropped out."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    odds = np.zeros_like(x)
    repeat = x > 0
    odds[repeat] = a / (b + x[repeat] - 1) * ((alpha + T[repeat]) / (alpha + t_x[repeat])) ** (r + x[repeat])
    return odds


def probability_alive(params: Params, x, t_x, T) -> np.ndarray:
    """Equation (11): P(alive | x, t_x, T)."""
    return 1 / (1 + _alive_odds(params, x, t_x, T))


def expected_visits(params: Params, t: float, x, t_x, T) -> np.ndarray:
    """Equation (10): expected visits in the next t weeks given the history.

    When a dealer's customers hardly ever drop out the fit runs to a → 0, b → ∞, and the closed form
    loses all precision (a difference of two huge numbers). There the no-further-dropout limit
    P(alive) · (r + x) t / (α + T), an upper bound of the true value, is used instead.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    alive = 1 / (1 + _alive_odds(params, x, t_x, T))
    bound = alive * (r + x) * t / (alpha + T)
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        exact = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper) * alive
    usable = np.isfinite(exact) & (exact >= 0) & (exact <= bound * (1 + 1e-9))
    return np.where(usable, exact, bound)


def expected_visits_new_customer(params: Params, t: float) -> float:
    """Equation (9): E[X(t)] for a customer just acquired (used to check a fit against the paper)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + t)
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z)))
