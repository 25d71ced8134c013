"""Money, numbers and dates as a Chinese dealer reads them, and as an English reader does."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from crm_console.domain.formatting import day, mobile, moment, money, money_headline, number, percent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_money_in_tables_has_the_yuan_sign_thousands_separators_and_fen():
    assert money(Decimal("1234567.5")) == "¥1,234,567.50"
    assert money(388) == "¥388.00"
    assert money("0.005") == "¥0.01"  # rounded half up, as an invoice is
    assert money(Decimal("-120")) == "-¥120.00"  # a refund
    assert money(None) == "—"


def test_headline_money_switches_to_wan_with_one_decimal_from_100000_yuan():
    assert money_headline(Decimal("99999.4"), "zh-CN") == "¥99,999"
    assert money_headline(100_000, "zh-CN") == "¥10.0万"
    assert money_headline(Decimal("1234567"), "zh-CN") == "¥123.5万"
    assert money_headline(Decimal("123456789"), "zh-CN") == "¥12,345.7万"
    assert money_headline(Decimal("-250000"), "zh-CN") == "-¥25.0万"


def test_english_headlines_keep_whole_yuan_with_separators():
    assert money_headline(Decimal("1234567"), "en") == "¥1,234,567"
    assert money_headline(None, "en") == "—"


def test_dates_read_as_in_each_language():
    assert day(date(2026, 11, 28), "zh-CN") == "2026年11月28日"
    assert day(date(2026, 11, 28), "en") == "28 Nov 2026"
    assert day("2026-02-03", "zh-CN") == "2026年2月3日"
    assert day(None, "zh-CN") == "—"


def test_a_time_shows_the_dealers_day_not_utcs():
    late_evening_utc = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 01:30 on the 29th in Shanghai
    assert day(late_evening_utc, "zh-CN", SHANGHAI) == "2026年11月29日"
    assert moment(late_evening_utc, "zh-CN", SHANGHAI) == "2026年11月29日 01:30"
    assert moment("2026-11-28T06:05:00+00:00", "en", SHANGHAI) == "28 Nov 2026, 14:05"


def test_shares_and_counts():
    assert percent(0.6342) == "63.4%"
    assert percent(None) == "—"
    assert number(12345) == "12,345"
    assert number(757.36, 1) == "757.4"


def test_mobiles_read_in_three_four_four_and_masked_ones_stay_masked():
    assert mobile("+8613800138000") == "138 0013 8000"
    assert mobile("138****8000") == "138****8000"
    assert mobile("+85291234567") == "+85291234567"
    assert mobile(None) == "—"
