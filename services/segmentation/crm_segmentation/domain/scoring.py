"""Score a dealer's customers: fit the dealer-wide cut points and models, then place each customer.

The batch (`fit_dealer`) ranks every customer exactly (RFM quintiles, ABC shares) and fits BG/NBD +
Gamma-Gamma; between batches `score` places changed customers against the stored fit. Both take the
same columnar `Histories` (one entry per customer, numpy arrays), so one customer and a million go
through the same code.

Both models read one summary, counted in visit DAYS (several visits on one day are one transaction, as
in Fader & Hardie's CDNOW summary): x = repeat visit days (the first day excluded), t_x = the last visit
day and T = today, both in weeks from the first, and the mean value of a repeat day = margin on the
days after the first / x. The first day is left out of the spend model because BG/NBD leaves it out of
x: for a car dealer it is usually the car sale, which says nothing about what a service visit brings.
"""

from dataclasses import asdict, dataclass, field

import numpy as np

from crm_segmentation.domain import abc, bgnbd, clv, gamma_gamma, rfm

VisitModel = bgnbd.Params
SpendModel = gamma_gamma.Params
DAYS_PER_WEEK = 7.0
WEEKS_PER_YEAR = 52.1775


@dataclass(frozen=True)
class Policy:
    """A dealer's scoring settings."""

    abc_a_share: float = 0.8
    abc_b_share: float = 0.95
    clv_years: int = 5
    discount_rate: float = 0.08
    yearly_cost: float = 0.0
    default_margin_rate: float = 0.2  # margin assumed for a visit whose margin is unknown
    min_customers_to_fit: int = 30
    fit_sample: int = 50_000  # a model fit on a random sample this large is as good and much faster


@dataclass
class Histories:
    """Per customer: visit facts relative to today. Customers without visits have visit_days == 0."""

    visit_days: np.ndarray  # distinct days with a visit (BG/NBD counts days, not orders)
    days_since_first: np.ndarray  # nan without visits
    days_since_last: np.ndarray
    visits_total: np.ndarray
    spend_total: np.ndarray
    margin_total: np.ndarray  # known margins, plus default_margin_rate × amount where unknown
    margin_12m: np.ndarray
    # margin on the visit days after the first (what Gamma-Gamma averages over the x repeat days)
    repeat_margin: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.visit_days)


@dataclass
class DealerFit:
    recency_cuts: list[float] = field(default_factory=list)
    frequency_cuts: list[float] = field(default_factory=list)
    monetary_cuts: list[float] = field(default_factory=list)
    means: rfm.Means = field(default_factory=lambda: rfm.Means(0, 0, 0))
    abc_a_min: float = float("inf")
    abc_b_min: float = float("inf")
    bgnbd: VisitModel | None = None
    gamma_gamma: SpendModel | None = None
    current_median: float = 0.0
    potential_median: float = 0.0
    customers: int = 0

    def to_json(self) -> dict:
        """JSON has no infinity: an empty class's threshold (inf) is stored as null."""
        return _finite(asdict(self))

    @classmethod
    def from_json(cls, data: dict) -> "DealerFit":
        data = {**data, "abc_a_min": _infinite(data["abc_a_min"]), "abc_b_min": _infinite(data["abc_b_min"]),
                **{k: [_infinite(v) for v in data[k]] for k in ("recency_cuts", "frequency_cuts", "monetary_cuts")}}
        return cls(**{**data, "means": rfm.Means(**data["means"]),
                      "bgnbd": VisitModel(**data["bgnbd"]) if data.get("bgnbd") else None,
                      "gamma_gamma": SpendModel(**data["gamma_gamma"]) if data.get("gamma_gamma") else None})


def _finite(value):
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _infinite(value: float | None) -> float:
    return float("inf") if value is None else value


@dataclass
class Scores:
    recency_score: np.ndarray
    frequency_score: np.ndarray
    monetary_score: np.ndarray
    abc_class: np.ndarray
    clv_manual: np.ndarray
    p_alive: np.ndarray  # nan without a model fit or a visit
    expected_visits_12m: np.ndarray
    margin_per_visit: np.ndarray
    clv: np.ndarray  # the model's CLV when there is a fit, else the manual formula's

    def row(self, i: int) -> dict:
        return {name: getattr(self, name)[i].item() for name in self.__dataclass_fields__}


def _model_inputs(h: Histories) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.maximum(h.visit_days - 1, 0).astype(float)
    T = np.nan_to_num(h.days_since_first) / DAYS_PER_WEEK
    t_x = np.nan_to_num(h.days_since_first - h.days_since_last) / DAYS_PER_WEEK
    return x, t_x, T


def repeat_day_value(h: Histories) -> np.ndarray:
    """Mean margin of a repeat visit day (m̄ₓ of the spend model); 0 for a customer without repeat days.

    Without `repeat_margin` (histories built before it existed) the margin per visit day stands in.
    """
    x = np.maximum(h.visit_days - 1, 0).astype(float)
    if h.repeat_margin is None:
        return np.where(x > 0, h.margin_total / np.maximum(h.visit_days, 1), 0.0)
    return np.where(x > 0, np.asarray(h.repeat_margin, dtype=float) / np.maximum(x, 1), 0.0)


def fit_dealer(h: Histories, policy: Policy, rng: np.random.Generator | None = None) -> tuple[DealerFit, Scores]:
    """The batch: exact ranks for every customer with a visit, models fitted, and everyone scored."""
    seen = h.visit_days > 0
    fit = DealerFit(customers=int(seen.sum()))
    r = np.zeros(len(h), dtype=np.int8)
    f, m = r.copy(), r.copy()
    classes = np.full(len(h), "C", dtype="<U1")
    if seen.any():
        recency, frequency, monetary = -h.days_since_last[seen], h.visits_total[seen], h.spend_total[seen]
        r[seen] = rfm.quintile_scores(recency)
        f[seen] = rfm.quintile_scores(frequency)
        m[seen] = rfm.quintile_scores(monetary)
        fit.recency_cuts = rfm.cut_points(recency, r[seen])
        fit.frequency_cuts = rfm.cut_points(frequency, f[seen])
        fit.monetary_cuts = rfm.cut_points(monetary, m[seen])
        fit.means = rfm.Means(float(h.days_since_last[seen].mean()), float(frequency.mean()),
                              float(monetary.mean()))
        classes = abc.abc_classes(h.margin_total, policy.abc_a_share, policy.abc_b_share)
        fit.abc_a_min, fit.abc_b_min = abc.thresholds(h.margin_total, classes)
    if fit.customers >= policy.min_customers_to_fit:
        fit.bgnbd, fit.gamma_gamma = _fit_models(h, policy, rng or np.random.default_rng(0))
    scores = score(h, fit, policy)
    scores.recency_score, scores.frequency_score, scores.monetary_score, scores.abc_class = r, f, m, classes
    valued = h.margin_total > 0
    fit.current_median = float(np.median(h.margin_total[valued])) if valued.any() else 0.0
    potential = scores.clv[scores.clv > 0]
    fit.potential_median = float(np.median(potential)) if len(potential) else 0.0
    return fit, scores


def _fit_models(h: Histories, policy: Policy, rng: np.random.Generator):
    seen = np.flatnonzero(h.visit_days > 0)
    if len(seen) > policy.fit_sample:
        seen = rng.choice(seen, policy.fit_sample, replace=False)
    x, t_x, T = (v[seen] for v in _model_inputs(h))
    if not (x > 0).any() or not (T > 0).any():
        return None, None
    visits_model = bgnbd.fit(x, t_x, T)
    per_day = repeat_day_value(h)[seen]
    repeat = (x > 0) & (per_day > 0)
    spend_model = gamma_gamma.fit(x[repeat], per_day[repeat]) if repeat.sum() >= 10 else None
    if spend_model is not None and spend_model.q <= 1:  # the expected value needs q > 1
        spend_model = None
    return visits_model, spend_model


def _placed(cuts: list[float], values: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """1–5 against cut points (the same rule as `rfm.score_against`); 0 for customers without visits."""
    placed = np.searchsorted(np.asarray(cuts, dtype=float), np.asarray(values, dtype=float), side="right") + 1
    return np.where(seen, placed, 0).astype(np.int8)


def score(h: Histories, fit: DealerFit, policy: Policy) -> Scores:
    """Place customers against a stored fit (RFM cut points, ABC thresholds, models)."""
    n = len(h)
    seen = h.visit_days > 0
    r = _placed(fit.recency_cuts, -np.nan_to_num(h.days_since_last), seen)
    f = _placed(fit.frequency_cuts, h.visits_total, seen)
    m = _placed(fit.monetary_cuts, h.spend_total, seen)
    value = np.asarray(h.margin_total, dtype=float)
    classes = np.where(value <= 0, "C", np.where(value >= fit.abc_a_min, "A",
                                                 np.where(value >= fit.abc_b_min, "B", "C"))).astype("<U1")
    # the manual formula is linear in the yearly margin: one discount factor serves every customer
    factor = clv.manual_clv(1.0, years=policy.clv_years, discount_rate=policy.discount_rate)
    manual = (np.asarray(h.margin_12m, dtype=float) - policy.yearly_cost) * factor
    x, t_x, T = _model_inputs(h)
    per_day = repeat_day_value(h)
    # without a spend model: the customer's own repeat-day mean, or its margin per visit day if it has none
    per_visit = np.where(x > 0, per_day, h.margin_total / np.maximum(h.visit_days, 1))
    p_alive = np.full(n, np.nan)
    expected = np.full(n, np.nan)
    model_value = manual.copy()
    if fit.bgnbd is not None and seen.any():
        p_alive[seen] = bgnbd.probability_alive(fit.bgnbd, x[seen], t_x[seen], T[seen])
        expected[seen] = bgnbd.expected_visits(fit.bgnbd, WEEKS_PER_YEAR, x[seen], t_x[seen], T[seen])
        if fit.gamma_gamma is not None:
            per_visit = np.where(seen, gamma_gamma.expected_value(fit.gamma_gamma, x, per_day), per_visit)
        model_value[seen] = clv.model_clv(fit.bgnbd, x[seen], t_x[seen], T[seen], per_visit[seen],
                                          years=policy.clv_years, yearly_discount=policy.discount_rate)
    return Scores(r, f, m, classes, manual, p_alive, expected, per_visit, model_value)

