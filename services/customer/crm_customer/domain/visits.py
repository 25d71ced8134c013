"""What a visit may be, and the date rules every record shares."""

from datetime import date

from crm_customer.domain import Refusal
from crm_kit.problem_texts import Worded

SUBKINDS = {
    "purchase": {"new_car", "trade_in", "additional_car"},
    "service": {"first_service", "maintenance", "repair", "warranty", "accident"},
    "parts": {"accessories", "parts", "other"},
    "insurance": {"renewal", "other"},
    "extended_warranty": {"other", "renewal"},
}


def subkind_refusal(kind: str, subkind: str) -> str | None:
    allowed = SUBKINDS.get(kind, set())
    if subkind not in allowed:
        return Worded("visit_subkind", f"a {kind} visit is one of: {', '.join(sorted(allowed))}",
                      {"kind": kind, "allowed": sorted(allowed)})
    return None


def future_dates(today: date, **dates: date | None) -> list[Refusal]:
    """Deliveries, visits and readings happened already; a date after today is a typo."""
    return [(name, Worded("date_in_future", "is in the future")) for name, value in dates.items()
            if value is not None and value > today]
