"""Lunar birthdays from real calendar dates, resident IDs whose county was abolished or whose birth date has not
come yet, and the quick path for plain mobile numbers against phonenumbers' full parse."""

from datetime import date

import phonenumbers
import pytest

from crm_customer.domain.contact import InvalidMobile, normalise_mobile
from crm_customer.domain.customers import lunar_month_day, normalise_customer
from crm_customer.domain.identity import normalise_resident_id, resident_id_warning

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(("solar", "lunar"), [
    (date(1990, 1, 27), "01-01"),  # Spring Festival 1990
    (date(2023, 1, 22), "01-01"),  # Spring Festival 2023
    (date(2024, 9, 17), "08-15"),  # Mid-Autumn 2024
    (date(2020, 5, 23), "04-01"),  # first day of 2020's leap fourth month: counts as the fourth
    (date(2023, 3, 22), "02-01"),  # first day of 2023's leap second month
    (date(1980, 1, 1), "11-14"),   # still the lunar year 1979
])
def test_a_solar_birth_date_gives_its_lunar_month_and_day(solar, lunar):
    assert lunar_month_day(solar) == lunar


def test_no_lunar_date_without_a_birth_date_or_outside_the_calendar_table():
    assert lunar_month_day(None) is None
    assert lunar_month_day(date(1899, 12, 31)) is None  # lunardate would answer day -30 here


def test_a_resident_id_born_in_the_future_is_refused():
    with pytest.raises(ValueError, match="2099-01-01 is in the future"):
        normalise_resident_id("110105209901010012", TODAY)
    _, refusals = normalise_customer({"id_number": "110105209901010012"}, "person", TODAY)
    assert [field for field, _ in refusals] == ["id_number"]


def test_an_old_id_of_an_abolished_county_is_accepted_with_a_warning():
    """440524 was Chaoyang county (Guangdong) from 1983 to 1993; a 1980 birth under it is on python-stdnum's
    table for no year that fits, yet such IDs are still carried. Guangdong (44) is a province."""
    assert normalise_resident_id("440524198001010013", TODAY) == "440524198001010013"
    assert "440524" in resident_id_warning("440524198001010013")
    assert normalise_resident_id("449900198001010012", TODAY) == "449900198001010012"  # stdnum has no county
    assert resident_id_warning("11010519491231002X") is None
    assert resident_id_warning(None) is None


@pytest.mark.parametrize(("number", "why"), [
    ("99010519800101001X", "unknown birth place"),  # no province 99
    ("110105194913310021", "impossible birth date"),
    ("11010519491231002Y", "invalid"),
    ("110105194912310021", "checksum"),
])
def test_what_is_not_a_resident_id_is_refused(number, why):
    with pytest.raises(ValueError, match=why):
        normalise_resident_id(number, TODAY)


def _full_parse(raw: str) -> str | None:
    number = phonenumbers.parse(raw, "CN")
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE) \
            or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_plain_eleven_digit_numbers_get_the_answer_of_the_full_parse():
    """Every five-digit start 10000-19999 (the ranges are decided within those digits), two endings each."""
    for start in range(10000, 20000):
        for ending in ("000000", "987654"):
            raw = f"{start}{ending}"
            try:
                quick = normalise_mobile.__wrapped__(raw)
            except InvalidMobile:
                quick = None
            assert quick == _full_parse(raw), raw
