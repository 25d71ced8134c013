"""Money, numbers, dates and times as a Chinese dealer reads them (and as an English reader does).

Money in tables: ¥ with thousands separators and fen (¥12,345.50). Headline figures of ¥100,000 or more:
万 with one decimal in Chinese (¥12.3万); English has no 万, so it keeps the separated yuan (¥123,457).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

WAN = Decimal(10_000)
HEADLINE_WAN_FROM = Decimal(100_000)
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _decimal(amount: Decimal | float | int | str) -> Decimal:
    return amount if isinstance(amount, Decimal) else Decimal(str(amount))


def money(amount: Decimal | float | int | str | None) -> str:
    """For tables: ¥1,234.50; a negative amount (a refund) keeps its sign before the ¥."""
    if amount is None:
        return "—"
    value = _decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


def money_headline(amount: Decimal | float | int | str | None, language: str) -> str:
    """For a headline figure: whole yuan, and from ¥100,000 on in 万 with one decimal (zh-CN)."""
    if amount is None:
        return "—"
    value = _decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if language == "zh-CN" and value >= HEADLINE_WAN_FROM:
        return f"{sign}¥{(value / WAN).quantize(Decimal('0.1'), ROUND_HALF_UP):,}万"
    return f"{sign}¥{value.quantize(Decimal(1), ROUND_HALF_UP):,}"


def mobile(value: str | None) -> str:
    """A mainland mobile as people read it aloud, 3-4-4 (138 0013 8000); masked or foreign numbers as given."""
    if not value:
        return "—"
    digits = value.removeprefix("+86")
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return value


def number(value: int | float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def percent(ratio: float | None, digits: int = 1) -> str:
    """A share (0.634) as 63.4%."""
    return "—" if ratio is None else f"{ratio * 100:.{digits}f}%"


def day(value: date | datetime | str | None, language: str, zone: ZoneInfo | None = None) -> str:
    """2026年11月28日 / 28 Nov 2026. A time is first moved into the dealer's zone, so the day is theirs."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = (value.astimezone(zone) if zone and value.tzinfo else value).date()
    if language == "zh-CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime | str | None, language: str, zone: ZoneInfo) -> str:
    """A date with its local time: 2026年11月28日 14:05 / 28 Nov 2026, 14:05."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(zone) if value.tzinfo else value
    separator = " " if language == "zh-CN" else ", "
    return f"{day(local, language)}{separator}{local:%H:%M}"
