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
    return _Summary(x, t_x, T).log_likelihood(params)


class _Summary:
    """Customers' (x, t_x, T), with the parts of equation (6) that depend on x alone worked out once per
    distinct x: a dealer's x takes a few dozen values, so a fit on 50,000 customers evaluates the gamma
    and beta functions a few dozen times per step instead of 150,000 (the profile of a full rescore
    showed these special functions as most of the batch's time)."""

    def __init__(self, x, t_x, T):
        self.x, self.t_x, self.T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        self.distinct, self.which = np.unique(self.x, return_inverse=True)
        self.repeat = self.x > 0

    def log_likelihood(self, params: Params) -> np.ndarray:
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        d = self.distinct
        beta_ab = special.betaln(a, b)
        common = special.gammaln(r + d) - special.gammaln(r) + r * np.log(alpha)
        alive = common + special.betaln(a, b + d) - beta_ab
        dropped = np.full_like(d, -np.inf)
        dropped[d > 0] = common[d > 0] + special.betaln(a + 1, b + d[d > 0] - 1) - beta_ab
        power = r + self.x
        return np.logaddexp(alive[self.which] - power * np.log(alpha + self.T),
                            dropped[self.which] - power * np.log(alpha + self.t_x))


def fit(x, t_x, T, *, start: Params = Params(1.0, 1.0, 1.0, 1.0)) -> Params:
    """Maximum likelihood over the log parameters (keeps them positive): L-BFGS-B to get close in a few
    hundred evaluations, then Nelder-Mead to settle (it polishes where the surface is flat; on its own
    from the start it took up to 10,000 evaluations)."""
    summary = _Summary(x, t_x, T)

    def negative(log_params: np.ndarray) -> float:
        value = -summary.log_likelihood(Params(*np.exp(log_params))).sum()
        return value if np.isfinite(value) else 1e300

    first = np.log([start.r, start.alpha, start.a, start.b])
    result = optimize.minimize(negative, first, method="L-BFGS-B")
    result = optimize.minimize(negative, result.x, method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 4_000, "maxfev": 4_000})
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
