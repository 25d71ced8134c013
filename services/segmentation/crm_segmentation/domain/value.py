"""Value type, lifecycle stage and churn risk with reasons a person can read.

Value type (Toyota course material): current value = the customer's margin so far; potential value =
its predicted CLV. Each is "high" at or above the dealer's median among customers with any value.

Lifecycle stage, first rule that matches:
- prospect (潜在获取期): no visit at all yet (a lead or a registration without a purchase or service)
- terminated (终止期): every vehicle lost, or no visit for longer than the lost threshold
- decline (衰退期): a vehicle dormant, or P(alive) under 0.5, or fewer visits in the last 12 months than
  in the 12 before
- growth (成长期): first visit less than 24 months ago
- maturity (成熟期): everything else (an established, active customer)
"""

from dataclasses import dataclass

import numpy as np

VALUE_TYPES = {"vip": "贵宾型", "improve": "改进型", "maintain": "维持型", "abandon": "放弃型"}
LIFECYCLE_STAGES = {"prospect": "潜在获取期", "growth": "成长期", "maturity": "成熟期", "decline": "衰退期",
                    "terminated": "终止期"}
GROWTH_MONTHS = 24
ALIVE_DOUBTFUL = 0.5


def value_type(current: float, potential: float, current_median: float, potential_median: float) -> str:
    high_now = current > 0 and current >= current_median
    high_later = potential > 0 and potential >= potential_median
    if high_now:
        return "vip" if high_later else "maintain"
    return "improve" if high_later else "abandon"


@dataclass(frozen=True)
class Activity:
    visits_total: int
    months_since_first_visit: int | None
    months_since_last_visit: int | None
    visits_12m: int
    visits_prior_12m: int
    vehicle_statuses: list[str]
    p_alive: float | None


def lifecycle_stage(activity: Activity, lost_months: int) -> str:
    if activity.visits_total == 0:
        return "prospect"
    statuses = activity.vehicle_statuses
    if (statuses and all(s == "lost" for s in statuses)) or (
            activity.months_since_last_visit is not None and activity.months_since_last_visit > lost_months):
        return "terminated"
    if ("dormant" in statuses or "lost" in statuses
            or (activity.p_alive is not None and activity.p_alive < ALIVE_DOUBTFUL)
            or activity.visits_12m < activity.visits_prior_12m):
        return "decline"
    if activity.months_since_first_visit is not None and activity.months_since_first_visit < GROWTH_MONTHS:
        return "growth"
    return "maturity"


def churn_reasons(vehicle_reasons: list[tuple[int | None, float, str | None]], p_alive: float | None,
                  first_services_lost: int) -> list[str]:
    """Readable reasons, worst first: overdue services, doubtful P(alive), missed first services.

    `vehicle_reasons` holds (months since last service, usual interval months, model name) per vehicle.
    """
    reasons = []
    for months, usual, model in sorted(vehicle_reasons, key=lambda v: -(v[0] or 0)):
        if months is not None and months > max(usual * 1.5, usual + 2):
            what = f"{model}: " if model else ""
            reasons.append(f"{what}{months} months since last service; usual interval {round(usual)} months")
    if p_alive is not None and p_alive < ALIVE_DOUBTFUL:
        reasons.append(f"P(alive) {p_alive:.2f}")
    if first_services_lost:
        reasons.append("first service missed" if first_services_lost == 1
                       else f"{first_services_lost} first services missed")
    return reasons


def churn_risk(reasons: list[str], p_alive: float | None, lifecycle: str) -> str:
    if lifecycle == "terminated" or (p_alive is not None and p_alive < 0.25):
        return "high"
    return "medium" if reasons or lifecycle == "decline" else "low"



VALUE_TYPE_CODES = tuple(VALUE_TYPES)  # in columns a name is 1 + its index here, 0 for none
LIFECYCLE_CODES = tuple(LIFECYCLE_STAGES)
CHURN_RISKS = ("low", "medium", "high")


def _code(name: str, codes: tuple[str, ...]) -> int:
    return codes.index(name) + 1


def value_types(current: np.ndarray, potential: np.ndarray, current_median: float,
                potential_median: float) -> np.ndarray:
    """`value_type` for columns, as codes into VALUE_TYPE_CODES."""
    high_now = (current > 0) & (current >= current_median)
    high_later = (potential > 0) & (potential >= potential_median)
    c = {name: _code(name, VALUE_TYPE_CODES) for name in VALUE_TYPE_CODES}
    return np.where(high_now, np.where(high_later, c["vip"], c["maintain"]),
                    np.where(high_later, c["improve"], c["abandon"])).astype(np.int16)


def lifecycle_stages(visits_total, months_since_first, months_since_last, visits_12m, visits_prior_12m,
                     p_alive, all_vehicles_lost, any_vehicle_dormant_or_lost, lost_months: int) -> np.ndarray:
    """`lifecycle_stage` for columns (p_alive nan where unknown, months −1 without a visit), as codes."""
    doubtful = np.nan_to_num(p_alive, nan=1.0) < ALIVE_DOUBTFUL
    conditions = [np.asarray(visits_total) == 0,
                  all_vehicles_lost | (np.asarray(months_since_last) > lost_months),
                  any_vehicle_dormant_or_lost | doubtful | (np.asarray(visits_12m) < np.asarray(visits_prior_12m)),
                  (np.asarray(months_since_first) >= 0) & (np.asarray(months_since_first) < GROWTH_MONTHS)]
    stages = ["prospect", "terminated", "decline", "growth"]
    return np.select(conditions, [_code(s, LIFECYCLE_CODES) for s in stages],
                     _code("maturity", LIFECYCLE_CODES)).astype(np.int16)


def churn_risks(has_reasons: np.ndarray, p_alive: np.ndarray, lifecycle_codes: np.ndarray) -> np.ndarray:
    """`churn_risk` for columns, as codes into CHURN_RISKS."""
    high = (lifecycle_codes == _code("terminated", LIFECYCLE_CODES)) | (np.nan_to_num(p_alive, nan=1.0) < 0.25)
    medium = has_reasons | (lifecycle_codes == _code("decline", LIFECYCLE_CODES))
    return np.where(high, 3, np.where(medium, 2, 1)).astype(np.int16)
