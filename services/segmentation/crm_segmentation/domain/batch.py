"""A dealer's batch in columns: from every visit of its customers to every profile field, no row objects.

`summarise` is `facts.customer_facts` for a million customers at once (numpy aggregates over the visit
columns); `profile_columns` is `facts.profile_scores` for the customers without vehicles (their
statuses need no per-vehicle history), with class names as small integer codes that the repository
turns back into names in SQL.
"""

from dataclasses import dataclass

import numpy as np

from crm_segmentation.domain import rfm, value
from crm_segmentation.domain.scoring import DealerFit, Histories, Scores

KINDS = ("purchase", "service")  # visit kinds the profile keeps dates of; anything else is code 0


@dataclass
class VisitColumns:
    """Every visit of a dealer's customers as columns, so a million customers need no row objects."""

    customer: np.ndarray  # the customer's position, 0..n-1
    days_ago: np.ndarray  # whole days before today
    amount: np.ndarray
    margin: np.ndarray  # the known margin, or default_margin_rate × amount where unknown
    kind: np.ndarray  # 1 + index in KINDS, 0 for other kinds


NO_DAY = np.iinfo(np.int32).min  # "no such visit" in the day columns of `summarise`


def summarise(visits: VisitColumns, n: int) -> tuple[Histories, dict[str, np.ndarray]]:
    """Per customer, what `facts.customer_facts` gives for one: the model summary and the profile's facts.

    Day facts come back as days before today (`NO_DAY` where there is none), counts as int64, money as
    float64.
    """
    c, days = np.asarray(visits.customer, dtype=np.int64), np.asarray(visits.days_ago, dtype=np.int64)
    margin, amount = np.asarray(visits.margin, dtype=float), np.asarray(visits.amount, dtype=float)
    total = np.bincount(c, minlength=n)

    def extreme(ufunc, mask, start) -> np.ndarray:
        out = np.full(n, start, dtype=np.int64)
        ufunc.at(out, c[mask], days[mask])
        return np.where(out == start, NO_DAY, out)

    lowest = int(days.min()) if len(days) else 0
    span = (int(days.max()) - lowest + 1) if len(days) else 1
    # one key per (customer, day), sorted, first of each run (np.unique took minutes here on 5M int64 keys);
    # a customer's run of keys starts at its last visit and ends at its first (days count backwards)
    day_keys = np.sort(c * span + (days - lowest))
    day_keys = day_keys[np.r_[True, day_keys[1:] != day_keys[:-1]]] if len(day_keys) else day_keys
    owner = day_keys // span
    visit_days = np.bincount(owner, minlength=n)
    first, last = np.full(n, NO_DAY, dtype=np.int64), np.full(n, NO_DAY, dtype=np.int64)
    if len(day_keys):
        starts = np.r_[True, owner[1:] != owner[:-1]]
        ends = np.r_[owner[1:] != owner[:-1], True]
        last[owner[starts]] = day_keys[starts] % span + lowest
        first[owner[ends]] = day_keys[ends] % span + lowest
    repeat_day = days != first[c]
    recent, prior = days < 365, (days >= 365) & (days < 730)
    seen = total > 0
    histories = Histories(
        visit_days=visit_days.astype(float),
        days_since_first=np.where(seen, first, np.nan).astype(float),
        days_since_last=np.where(seen, last, np.nan).astype(float),
        visits_total=total.astype(float), spend_total=np.bincount(c, amount, minlength=n),
        margin_total=np.bincount(c, margin, minlength=n),
        margin_12m=np.bincount(c, np.where(recent, margin, 0.0), minlength=n),
        repeat_margin=np.bincount(c, np.where(repeat_day, margin, 0.0), minlength=n))
    purchase, service = visits.kind == 1, visits.kind == 2
    facts = {
        "first_visit": first, "last_visit": last,
        "first_purchase": extreme(np.maximum, purchase, np.iinfo(np.int64).min),
        "last_purchase": extreme(np.minimum, purchase, np.iinfo(np.int64).max),
        "last_service": extreme(np.minimum, service, np.iinfo(np.int64).max),
        "visit_days": visit_days, "visits_total": total,
        "visits_12m": np.bincount(c[recent], minlength=n), "visits_prior_12m": np.bincount(c[prior], minlength=n),
        "spend_12m": np.bincount(c, np.where(recent, amount, 0.0), minlength=n),
    }
    return histories, facts


ABC_CODES = ("A", "B", "C")


def months_since(today, days_ago: np.ndarray) -> np.ndarray:
    """`retention.months_between(day, today)` for days given as days before today; −1 for NO_DAY."""
    days_ago = np.asarray(days_ago, dtype=np.int64)
    missing = days_ago == NO_DAY
    earlier = np.datetime64(today, "D") - np.where(missing, 0, days_ago).astype("timedelta64[D]")
    month = earlier.astype("datetime64[M]")
    months = (np.datetime64(today, "M") - month).astype(np.int64)
    day_of_month = (earlier - month.astype("datetime64[D]")).astype(np.int64) + 1
    return np.where(missing, -1, months - (today.day < day_of_month))


def profile_columns(h: Histories, facts: dict[str, np.ndarray], scores: Scores, fit: DealerFit, today,
                    lost_months: int) -> dict[str, np.ndarray]:
    """Every score-dependent profile field of customers without vehicles (codes: 1 + index, 0 for none)."""
    seen = h.visit_days > 0
    nan = np.full(len(h), np.nan)
    p_alive = np.where(seen, scores.p_alive, np.nan)
    rfm_type = rfm.eight_type_codes(h.days_since_last, h.visits_total, h.spend_total, fit.means)
    abc = np.searchsorted(np.array(ABC_CODES), scores.abc_class).astype(np.int16) + 1
    value_type = value.value_types(h.margin_total, scores.clv, fit.current_median, fit.potential_median)
    stage = value.lifecycle_stages(
        facts["visits_total"], months_since(today, facts["first_visit"]), months_since(today, facts["last_visit"]),
        facts["visits_12m"], facts["visits_prior_12m"], p_alive, np.zeros(len(h), dtype=bool),
        np.zeros(len(h), dtype=bool), lost_months)
    doubtful = np.nan_to_num(p_alive, nan=1.0) < value.ALIVE_DOUBTFUL  # its only churn reason without vehicles
    return {
        "recency_score": scores.recency_score, "frequency_score": scores.frequency_score,
        "monetary_score": scores.monetary_score,
        "rfm_segment": rfm.named_segments(scores.recency_score, scores.frequency_score),
        "rfm_type": np.where(seen, rfm_type, 0).astype(np.int16),
        "abc_class": np.where(seen, abc, 0).astype(np.int16),
        "clv_manual": scores.clv_manual, "clv": np.where(seen, scores.clv, nan),
        "p_alive": p_alive, "expected_visits_12m": np.where(seen, scores.expected_visits_12m, nan),
        "margin_per_visit": np.where(seen, scores.margin_per_visit, nan),
        "value_type": np.where(seen, value_type, value.VALUE_TYPE_CODES.index("abandon") + 1).astype(np.int16),
        "lifecycle_stage": stage,
        "churn_risk": value.churn_risks(doubtful, p_alive, stage),
    }
