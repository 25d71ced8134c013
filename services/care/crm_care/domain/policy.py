"""The contact policy every outbound message passes: consent, quiet hours, one frequency cap.

The cap counts care, survey and marketing contacts together; service-critical reminders are let
through the cap but still count towards it.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

CHANNEL_PREFERENCE = ("wechat", "sms", "email")
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ContactRules:
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    cap: int = 2
    cap_days: int = 7
    time_zone: str = DEFAULT_TIME_ZONE


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None  # "no_consent", "quiet_hours", "frequency_cap", "erased"
    not_before: datetime | None = None  # when quiet hours end


def choose_channel(consented: set[str], reachable: set[str], preferred: str | None = None) -> str | None:
    """The channel to use: the preferred one if consented and reachable, else the first that is."""
    usable = consented & reachable
    if preferred in usable:
        return preferred
    return next((channel for channel in CHANNEL_PREFERENCE if channel in usable), None)


def quiet_until(now: datetime, rules: ContactRules) -> datetime | None:
    """The end of the quiet period `now` falls in, or None when sending now is fine (dealer's local time)."""
    local = now.astimezone(ZoneInfo(rules.time_zone))
    clock = local.timetz().replace(tzinfo=None)
    start, end = rules.quiet_start, rules.quiet_end
    spans_midnight = start > end
    quiet = (clock >= start or clock < end) if spans_midnight else (start <= clock < end)
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if spans_midnight and clock >= start else local.date()
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def decide(*, now: datetime, consented: bool, critical: bool, recent_contacts: int, rules: ContactRules,
           erased: bool = False) -> Decision:
    """Whether a message may go out now. Erasure and withdrawn consent block for good; quiet hours defer."""
    if erased:
        return Decision(False, "erased")
    if not consented:
        return Decision(False, "no_consent")
    if not critical and recent_contacts >= rules.cap:
        return Decision(False, "frequency_cap")
    until = quiet_until(now, rules)
    if until is not None:
        return Decision(False, "quiet_hours", not_before=until)
    return Decision(True)


def retry_delay(attempt: int, base_seconds: float = 30, ceiling_seconds: float = 3600) -> timedelta:
    """Exponential backoff between delivery attempts: 30 s, 1 min, 2 min … at most an hour."""
    return timedelta(seconds=min(ceiling_seconds, base_seconds * 2 ** max(0, attempt - 1)))
