"""Every validator with real-format vectors."""

from datetime import date

import pytest

from crm_customer.domain.contact import (
    InvalidMobile,
    mask_email,
    mask_mobile,
    mask_name,
    normalise_email,
    normalise_mobile,
)
from crm_customer.domain.customers import birthday_mm_dd, normalise_customer
from crm_customer.domain.identity import (
    disagreements_with_id,
    mask_id_number,
    normalise_credit_code,
    normalise_resident_id,
    resident_id_birth_date,
    resident_id_gender,
)
from crm_customer.domain.vehicles import check_vin, normalise_plate, odometer_refusal, vin_check_digit
from crm_customer.domain.visits import future_dates, subkind_refusal

# The sample number printed in GB 11643-1999 itself: Beijing Chaoyang, born 1949-12-31, woman, check X.
GB_SAMPLE_ID = "11010519491231002X"


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000"])
def test_mainland_mobiles_become_e164(raw):
    assert normalise_mobile(raw) == "+8613800138000"


@pytest.mark.parametrize("raw", ["12345", "12800138000", "010-12345678", "+1 650 253 0000", "abc"])
def test_what_is_not_a_mainland_mobile_is_refused(raw):
    with pytest.raises(InvalidMobile):
        normalise_mobile(raw)


def test_email_syntax_is_checked_and_the_domain_lower_cased():
    assert normalise_email("Wang.Wei@Example.COM") == "Wang.Wei@example.com"
    for bad in ("wang.wei", "wang@", "wang wei@example.com"):
        with pytest.raises(ValueError):
            normalise_email(bad)


def test_resident_id_checksum_birth_date_and_gender():
    assert normalise_resident_id("11010519491231002x") == GB_SAMPLE_ID
    assert resident_id_birth_date(GB_SAMPLE_ID) == date(1949, 12, 31)
    assert resident_id_gender(GB_SAMPLE_ID) == "female"
    assert resident_id_gender("110105194912310039") == "male"  # sequence 003: odd
    with pytest.raises(ValueError, match="checksum"):
        normalise_resident_id("110105194912310021")
    with pytest.raises(ValueError):
        normalise_resident_id("110105194913310029")  # month 13


def test_a_record_must_agree_with_its_resident_id():
    assert disagreements_with_id(GB_SAMPLE_ID, date(1949, 12, 31), "female") == []
    assert [field for field, _ in disagreements_with_id(GB_SAMPLE_ID, date(1950, 1, 1), "male")] == [
        "birth_date", "gender"]


def test_unified_social_credit_code():
    assert normalise_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValueError):
        normalise_credit_code("91110000600037341M")


def test_masks_show_what_staff_need_and_no_more():
    assert mask_mobile("+8613800138000") == "138****8000"
    assert mask_id_number(GB_SAMPLE_ID) == "1101**********002X"
    assert mask_email("wang.wei@example.com") == "w***@example.com"
    assert mask_name("王小明", "person") == "王**"
    assert mask_name("一汽丰田某某4S店", "organisation") == "一汽丰田某某4S店"


def test_vin_check_digit_of_published_vectors():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"  # the check-digit example of 49 CFR 565
    assert vin_check_digit("11111111111111111") == "1"
    assert check_vin("1m8gdm9axkp042788") == ("1M8GDM9AXKP042788", None)


def test_china_made_vins_need_the_right_check_digit_imported_ones_get_a_warning():
    china = "LFV2A21K0G3" + "123456"
    good = china[:8] + vin_check_digit(china) + china[9:]
    assert check_vin(good) == (good, None)
    wrong = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    with pytest.raises(ValueError, match="check digit"):
        check_vin(wrong)
    imported = "WDD" + wrong[3:]
    vin, warning = check_vin(imported)
    assert vin == imported and "imported" in warning
    for bad in ("LFV2A21K0G312345", "LFV2A21K0G31234O5", "LFV2A21K0G3I23456"):
        with pytest.raises(ValueError):
            check_vin(bad)


@pytest.mark.parametrize("raw, plate", [
    ("京A12345", "京A12345"), ("沪 b·8888d", "沪B8888D"), ("粤BD12345", "粤BD12345"), ("苏E12345F", "苏E12345F"),
    ("浙A1234学", "浙A1234学")])
def test_chinese_plates(raw, plate):
    assert normalise_plate(raw) == plate


@pytest.mark.parametrize("raw", ["京I12345", "AB12345", "京A1234", "京AX12345", "港A12345"])
def test_what_is_not_a_plate(raw):
    with pytest.raises(ValueError):
        normalise_plate(raw)


def test_odometer_readings_only_go_back_as_corrections():
    assert odometer_refusal(12_000, 10_000, False) is None
    assert "lower than the last reading (10000 km)" in odometer_refusal(9_000, 10_000, False)
    assert odometer_refusal(9_000, 10_000, True) is None
    assert odometer_refusal(5, None, False) is None


def test_visit_kinds_and_dates():
    assert subkind_refusal("service", "first_service") is None
    assert subkind_refusal("purchase", "first_service").startswith("a purchase visit is one of")
    assert future_dates(date(2025, 1, 1), visited_on=date(2025, 1, 2), delivered=date(2024, 1, 1)) == [
        ("visited_on", "is in the future")]


def test_a_customer_record_is_checked_field_by_field_all_at_once():
    values, refusals = normalise_customer(
        {"name": " 王伟 ", "mobile": "13800138000", "email": "nope", "id_number": GB_SAMPLE_ID,
         "birth_date": date(1950, 1, 1), "tags": ["vip", " vip", ""]}, "person", date(2025, 1, 1))
    assert values["name"] == "王伟" and values["mobile"] == "+8613800138000" and values["tags"] == ["vip"]
    assert [field for field, _ in refusals] == ["email", "birth_date"]
    _, refusals = normalise_customer({"id_number": GB_SAMPLE_ID}, "organisation", date(2025, 1, 1))
    assert refusals[0][0] == "id_number"
    _, refusals = normalise_customer({"gender": "male"}, "person", date(2025, 1, 1),
                                     current={"id_number": GB_SAMPLE_ID, "birth_date": None, "gender": "female"})
    assert refusals == [("gender", "does not match the resident ID number (female)")]
    _, refusals = normalise_customer({"name": None, "tags": None, "email": None}, "person", date(2025, 1, 1))
    assert refusals == [("name", "cannot be removed"), ("tags", "cannot be removed")]
    assert birthday_mm_dd(date(1949, 12, 31)) == "12-31"


def test_other_mobiles_are_e164_once_each_and_never_repeat_the_primary():
    today = date(2025, 1, 1)
    values, refusals = normalise_customer(
        {"mobile": "13800138000", "other_mobiles": ["139 0013 9000", "+86 13900139000", "138-0013-8000"]},
        "person", today)
    assert refusals == [] and values["other_mobiles"] == ["+8613900139000"]
    _, refusals = normalise_customer({"other_mobiles": ["13900139000", "12345"]}, "person", today)
    assert [field for field, _ in refusals] == ["other_mobiles/1"]
    stored = {"mobile": "+8613800138000", "other_mobiles": ["+8613900139000", "+8613700137000"]}
    promoted, _ = normalise_customer({"mobile": "13900139000"}, "person", today, stored)
    assert promoted == {"mobile": "+8613900139000", "other_mobiles": ["+8613700137000"]}
    cleared, _ = normalise_customer({"other_mobiles": None}, "person", today, stored)
    assert cleared == {"other_mobiles": []}


def test_marital_status_and_children_are_a_persons_contacts_an_organisations():
    today = date(2025, 1, 1)
    values, refusals = normalise_customer({"marital_status": "married", "children": 2}, "person", today)
    assert refusals == [] and values == {"marital_status": "married", "children": 2}
    _, refusals = normalise_customer({"children": 1, "contacts": []}, "person", today)
    assert [field for field, _ in refusals] == ["contacts"]
    contacts = [{"name": " 赵强 ", "role": "车队经理", "mobile": "139 0013 9000"}, {"name": "钱", "mobile": "123"}]
    values, refusals = normalise_customer({"contacts": contacts}, "organisation", today)
    assert values["contacts"][0] == {"name": "赵强", "role": "车队经理", "mobile": "+8613900139000"}
    assert [field for field, _ in refusals] == ["contacts/1/mobile"]
    _, refusals = normalise_customer({"marital_status": "single"}, "organisation", today)
    assert [field for field, _ in refusals] == ["marital_status"]
