"""When a visit or a resolved complaint leads to a survey, and when it is suppressed instead."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEALER_TIME = ZoneInfo("Asia/Shanghai")
SSI_HOUR = time(10)  # a purchase survey goes out mid-morning dealer time, N days after delivery

PURCHASE = "purchase"
SERVICE = "service"


@dataclass(frozen=True)
class SurveyRules:
    """One dealer's survey timing; every field is a dealer setting."""

    ssi_delay_days: int = 3
    csi_delay_hours: int = 24
    follow_up_delay_days: int = 10
    expiry_days: int = 15
    quiet_period_days: int = 90
    stale_visit_days: int = 14  # the survey's window: older visits (imports, late entries) are not surveyed


@dataclass(frozen=True)
class CustomerState:
    known: bool
    survey_consent: bool
    erased: bool


def survey_kind_for_visit(kind: str, closed: bool) -> str | None:
    """A purchase leads to SSI; a closed service repair order to CSI; nothing else is surveyed."""
    if kind == PURCHASE:
        return "ssi"
    if kind == SERVICE and closed:
        return "csi"
    return None


def visit_in_window(rules: SurveyRules, visited_on: date, today: date) -> bool:
    """Whether a visit is recent enough to survey, by the visit's own date (not when its event arrived).

    Nobody rates a service they had months ago: an imported history or a visit entered weeks late gets
    no invitation at all, not even a suppressed one.
    """
    return (today - visited_on).days <= rules.stale_visit_days


def visit_send_at(survey_kind: str, rules: SurveyRules, visited_on: date, recorded_at: datetime) -> datetime:
    if survey_kind == "ssi":
        return datetime.combine(visited_on, SSI_HOUR, DEALER_TIME) + timedelta(days=rules.ssi_delay_days)
    return recorded_at + timedelta(hours=rules.csi_delay_hours)


def expires_at(send_at: datetime, rules: SurveyRules) -> datetime:
    return send_at + timedelta(days=rules.expiry_days)


def visit_suppression(customer: CustomerState, rules: SurveyRules, *, visited_on: date, send_at: datetime,
                      recent_sends: list[datetime], today: date) -> str | None:
    """Why this visit's survey must not go out, or None. `recent_sends`: the customer's other live
    invitations (scheduled or sent), whose send times count against the quiet period."""
    if customer.erased:
        return "erased"
    if not customer.survey_consent:
        return "no_consent"
    if (today - visited_on).days > rules.stale_visit_days:
        return "stale_visit"
    quiet = timedelta(days=rules.quiet_period_days)
    if any(abs(send_at - other) < quiet for other in recent_sends):
        return "quiet_period"
    return None


def send_time_suppression(customer: CustomerState) -> str | None:
    """Checked again when an invitation falls due: consent can be withdrawn while it waits."""
    if customer.erased:
        return "erased"
    return None if customer.survey_consent else "no_consent"
