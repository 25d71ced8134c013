"""The customer value analysis report (客户价值分析报告): the parts worked out from figures already read.

Movements compare each customer's class at the end of the previous month with the class at the end of the
report's month. Segmentation keeps no history of classes in its profiles, so the batch stores each month's
classes per customer (`class_snapshots`, from the day this report was built on); a month without such a
snapshot has no movements, said as such rather than guessed.
"""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from crm_segmentation.domain import rfm, value
from crm_segmentation.domain.kpis import AgeRow
from crm_segmentation.domain.retention import add_months

MEASURES = ("value_type", "lifecycle_stage", "rfm_segment")
UNSCORED = "unscored"
NEW = "new"  # a customer not yet known at the end of the previous month
CHURN_RISK_ORDER = {"high": 0, "medium": 1, "low": 2}
TOP_CHURN_RISKS = 20

# What the issue asks of the report that segmentation cannot compute yet: it consumes no survey or care events.
NOT_YET = {
    "ssi_csi": "SSI/CSI index and weaknesses: segmentation does not consume survey events yet",
    "campaign_results": "Campaign results: segmentation does not consume care's campaign events yet",
}

CLASS_NAMES_ZH = {
    "value_type": value.VALUE_TYPES,
    "lifecycle_stage": value.LIFECYCLE_STAGES,
    "rfm_segment": {code: s.zh for code, s in rfm.SEGMENTS.items()},
}
EXTRA_NAMES_ZH = {UNSCORED: "未评分", NEW: "新增客户"}


def name_zh(measure: str, code: str) -> str:
    return CLASS_NAMES_ZH[measure].get(code) or EXTRA_NAMES_ZH.get(code, code)


@dataclass(frozen=True)
class Classes:
    """One customer's classes at a moment."""

    customer_id: uuid.UUID
    value_type: str | None
    lifecycle_stage: str | None
    rfm_segment: str | None

    def of(self, measure: str) -> str:
        return getattr(self, measure) or UNSCORED


@dataclass(frozen=True)
class Movement:
    measure: str
    from_class: str
    to_class: str
    customers: int


def month_end(month: date, today: date) -> date:
    """The day a month's figures are as of: its last day, or today for the current month."""
    return min(add_months(month.replace(day=1), 1) - timedelta(days=1), today)


def distribution(classes: list[Classes], measure: str) -> dict[str, int]:
    return dict(sorted(Counter(c.of(measure) for c in classes).items()))


def movements(before: list[Classes], after: list[Classes], measure: str) -> list[Movement]:
    """How many customers went from which class to which (those who stayed are left out; a customer unknown
    before comes from `new`; one gone since, erased or merged, is not counted), largest first."""
    earlier = {c.customer_id: c.of(measure) for c in before}
    moved = Counter((earlier.get(c.customer_id, NEW), c.of(measure)) for c in after)
    return sorted((Movement(measure, was, now, count) for (was, now), count in moved.items() if was != now),
                  key=lambda m: (-m.customers, m.from_class, m.to_class))


def summed(per_dealer: list[list[AgeRow]]) -> list[AgeRow]:
    """The network's rows: each age summed over the dealers (rates are recomputed from the sums)."""
    if not per_dealer:
        return []
    rows = [AgeRow(row.age_years) for row in per_dealer[0]]
    for dealer_rows in per_dealer:
        for total, row in zip(rows, dealer_rows, strict=True):
            total.sold += row.sold
            total.grasped += row.grasped
            total.base += row.base
            total.active += row.active
    return rows
