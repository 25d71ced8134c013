"""Customer lifetime value: the manual's discounted-margin formula, and the model-based form.

Manual (FAW Toyota CR manual): V = Σₜ (Qₜ − Cₜ) / (1 + i)ᵗ for t = 1..T years, with Q the yearly margin,
C the yearly cost of keeping the customer, i the discount rate; the general form (Gupta et al. 2006)
weights each year by the probability r^t that the customer is still retained.
"""

import numpy as np

from crm_segmentation.domain import bgnbd


def manual_clv(yearly_margin: float, *, years: int, discount_rate: float, yearly_cost: float = 0.0,
               retention: float = 1.0) -> float:
    return sum((yearly_margin - yearly_cost) * retention ** t / (1 + discount_rate) ** t
               for t in range(1, years + 1))


def model_clv(params: bgnbd.Params, x, t_x, T, margin_per_visit, *, years: int, yearly_discount: float,
              weeks_per_year: float = 52.1775) -> np.ndarray:
    """Σ over future years of the expected visits in that year × margin per visit, discounted yearly
    (the manual's form, with BG/NBD's expected visits in place of a retention guess)."""
    total = np.zeros(np.shape(x))
    previous = np.zeros(np.shape(x))
    for year in range(1, years + 1):
        cumulative = bgnbd.expected_visits(params, year * weeks_per_year, x, t_x, T)
        total = total + (cumulative - previous) / (1 + yearly_discount) ** year
        previous = cumulative
    return total * np.asarray(margin_per_visit, dtype=float)
