"""From a customer's visits and vehicles to the profile's facts and scores (one customer, no I/O)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from crm_segmentation.domain import retention, rfm, scoring, value
from crm_segmentation.domain.retention import Thresholds

SERVICE = "service"
PURCHASE = "purchase"


@dataclass(frozen=True)
class VisitFact:
    vehicle_id: object
    kind: str
    subkind: str
    visited_on: date
    amount: Decimal
    margin: Decimal | None


def visit_margin(visit: VisitFact, default_margin_rate: float) -> Decimal:
    if visit.margin is not None:
        return visit.margin
    return (visit.amount * Decimal(str(default_margin_rate))).quantize(Decimal("0.01"))


def customer_facts(visits: list[VisitFact], today: date, default_margin_rate: float) -> dict:
    year_ago, two_years_ago = today - timedelta(days=365), today - timedelta(days=730)
    days = sorted({v.visited_on for v in visits})
    purchases = sorted(v.visited_on for v in visits if v.kind == PURCHASE)
    services = sorted(v.visited_on for v in visits if v.kind == SERVICE)
    recent = [v for v in visits if v.visited_on > year_ago]
    return {
        "first_visit_on": days[0] if days else None,
        "last_visit_on": days[-1] if days else None,
        "first_purchase_on": purchases[0] if purchases else None,
        "last_purchase_on": purchases[-1] if purchases else None,
        "last_service_on": services[-1] if services else None,
        "visit_days": len(days),
        "visits_total": len(visits),
        "visits_12m": len(recent),
        "visits_prior_12m": sum(two_years_ago < v.visited_on <= year_ago for v in visits),
        "spend_total": sum((v.amount for v in visits), Decimal(0)),
        "spend_12m": sum((v.amount for v in recent), Decimal(0)),
        "margin_total": sum((visit_margin(v, default_margin_rate) for v in visits), Decimal(0)),
        "margin_12m": sum((visit_margin(v, default_margin_rate) for v in recent), Decimal(0)),
    }


def repeat_day_margin(visits: list[VisitFact], default_margin_rate: float) -> Decimal:
    """Margin on the visit days after the first: the spend model's repeat transactions (see `scoring`)."""
    first = min((v.visited_on for v in visits), default=None)
    return sum((visit_margin(v, default_margin_rate) for v in visits if v.visited_on != first), Decimal(0))


@dataclass(frozen=True)
class VehicleFacts:
    delivery_date: date | None
    model: str | None
    readings: list[tuple[date, int]]  # since the last correction


def vehicle_state(vehicle: VehicleFacts, visits: list[VisitFact], today: date, thresholds: Thresholds) -> dict:
    services = sorted(v.visited_on for v in visits if v.kind == SERVICE)
    first_service = min((v.visited_on for v in visits if v.subkind == "first_service"), default=None)
    readings = sorted(vehicle.readings)
    daily_km = retention.average_daily_km(readings, vehicle.delivery_date)
    last_service = services[-1] if services else None
    status, months = retention.retention_status(last_service, vehicle.delivery_date, today, thresholds)
    usual = retention.usual_interval_months(services, thresholds)
    return {
        "first_service_on": first_service,
        "last_service_on": last_service,
        "service_visits": len(services),
        "usual_interval_months": round(usual, 1),
        "last_km": readings[-1][1] if readings else None,
        "last_km_on": readings[-1][0] if readings else None,
        "avg_daily_km": daily_km,
        "age_years": retention.vehicle_age_years(vehicle.delivery_date, today),
        "retention_status": status if months is not None else None,
        "months_since_service": months,
        "status_reason": retention.status_reason(status, months, usual, last_service is None),
        "first_service_status": retention.first_service_status(
            vehicle.delivery_date, first_service, today, daily_km, thresholds),
    }


def histories(rows: list[dict], today: date, repeat_margins: list | None = None) -> scoring.Histories:
    """Columnar histories from profile facts (each row has the keys `customer_facts` returns) and, per row,
    `repeat_day_margin` of the same visits."""
    def days_since(key: str) -> np.ndarray:
        return np.array([(today - r[key]).days if r[key] else np.nan for r in rows], dtype=float)

    def column(key: str) -> np.ndarray:
        return np.array([float(r[key]) for r in rows], dtype=float)

    return scoring.Histories(
        visit_days=column("visit_days"), days_since_first=days_since("first_visit_on"),
        days_since_last=days_since("last_visit_on"), visits_total=column("visits_total"),
        spend_total=column("spend_total"), margin_total=column("margin_total"), margin_12m=column("margin_12m"),
        repeat_margin=None if repeat_margins is None else np.array([float(m) for m in repeat_margins], dtype=float))


WORST_FIRST = {"lost": 0, "dormant": 1, "active": 2}


def profile_scores(facts: dict, vehicles: list[dict], scores: dict | None, fit: scoring.DealerFit | None,
                   today: date, thresholds: Thresholds) -> dict:
    """Everything on a profile that depends on scores and statuses, given one customer's `Scores.row`."""
    statuses = [v["retention_status"] for v in vehicles if v["retention_status"]]
    p_alive = scores["p_alive"] if scores and not np.isnan(scores["p_alive"]) else None
    expected = scores["expected_visits_12m"] if scores and not np.isnan(scores["expected_visits_12m"]) else None
    months_since = [v["months_since_service"] for v in vehicles if v["months_since_service"] is not None]
    first = facts["first_visit_on"]
    last = facts["last_visit_on"]
    stage = value.lifecycle_stage(value.Activity(
        visits_total=facts["visits_total"],
        months_since_first_visit=retention.months_between(first, today) if first else None,
        months_since_last_visit=retention.months_between(last, today) if last else None,
        visits_12m=facts["visits_12m"], visits_prior_12m=facts["visits_prior_12m"],
        vehicle_statuses=statuses, p_alive=p_alive), thresholds.lost_months)
    lost_first_services = sum(v["first_service_status"] == retention.FIRST_SERVICE_LOST for v in vehicles)
    reasons = value.churn_reasons([(v["months_since_service"], v["usual_interval_months"] or 0, v.get("model"))
                                   for v in vehicles], p_alive, lost_first_services)
    fields = {
        "vehicles": len(vehicles),
        "retention_status": min(statuses, key=WORST_FIRST.get, default=None) if statuses else None,
        "months_since_last_service": min(months_since) if months_since else None,
        "first_service_status": _first_service_summary(vehicles),
        "lifecycle_stage": stage, "churn_reasons": reasons,
        "churn_risk": value.churn_risk(reasons, p_alive, stage),
        "p_alive": round(p_alive, 4) if p_alive is not None else None,
        "expected_visits_12m": round(expected, 3) if expected is not None else None,
    }
    if scores is None or fit is None or facts["visit_days"] == 0:
        return {**fields, "recency_score": None, "frequency_score": None, "monetary_score": None,
                "rfm_segment": None, "rfm_type": None, "abc_class": None, "clv": None, "margin_per_visit": None,
                "value_type": "abandon" if fit is not None and facts["visit_days"] == 0 else None}
    r, f = scores["recency_score"], scores["frequency_score"]
    recency_days = (today - last).days
    potential = scores["clv"]
    return {**fields, "recency_score": r, "frequency_score": f, "monetary_score": scores["monetary_score"],
            "rfm_segment": rfm.named_segment(r, f),
            "rfm_type": rfm.eight_type(recency_days, facts["visits_total"], float(facts["spend_total"]), fit.means),
            "abc_class": scores["abc_class"],
            "clv": _money(potential), "margin_per_visit": _money(scores["margin_per_visit"]),
            "value_type": value.value_type(float(facts["margin_total"]), potential, fit.current_median,
                                           fit.potential_median)}


def _first_service_summary(vehicles: list[dict]) -> str | None:
    """The status that needs action first across the customer's vehicles."""
    statuses = {v["first_service_status"] for v in vehicles}
    for status in ("lost", "due", "upcoming", "done"):
        if status in statuses:
            return status
    return None


def _money(amount: float) -> Decimal | None:
    return None if amount is None or np.isnan(amount) else Decimal(str(round(float(amount), 2)))
