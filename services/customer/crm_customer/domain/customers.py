"""A customer's fields as the API or an import file gives them -> normalised column values, or refusals."""

from datetime import date
from typing import Any

from lunardate import LunarDate

from crm_customer.domain import Refusal
from crm_customer.domain.contact import InvalidMobile, normalise_email, normalise_mobile
from crm_customer.domain.identity import disagreements_with_id, normalise_credit_code, normalise_resident_id
from crm_customer.domain.visits import future_dates
from crm_kit.problem_texts import Invalid, Worded

TEXT_FIELDS = ("name", "wechat_openid", "province", "city", "address", "age_band", "income_band", "education",
               "source_channel")
PERSON_ONLY = ("marital_status", "children")
NEVER_EMPTY = ("name", "mobile", "lunar_birthday", "language", "tags", "status")
LUNAR_TABLE = (date(1900, 1, 31), date(2099, 12, 31))  # solar dates lunardate converts


def normalise_customer(given: dict[str, Any], kind: str, today: date, current: dict[str, Any] | None = None
                       ) -> tuple[dict[str, Any], list[Refusal]]:
    """Only the keys present in `given` are normalised; `id_number` stays plain here (the caller seals it).
    `current` (id_number, birth_date, gender, mobile, other_mobiles of the stored record) lets an update be
    checked against the resident ID number it already has, and a secondary number be made the primary one."""
    current = current or {}
    values: dict[str, Any] = {}
    refusals: list[Refusal] = []
    for name, value in given.items():
        if value is None and name in NEVER_EMPTY:
            refusals.append((name, Worded("cannot_be_removed", "cannot be removed")))
            continue
        if value is None and name == "contacts":
            values[name] = []
            continue
        if value is None or name in ("kind", "dealer_id", "other_mobiles"):
            values[name] = value
            continue
        if (name in PERSON_ONLY and kind == "organisation") or (name == "contacts" and kind == "person"):
            whom = "an organisation" if kind == "organisation" else "a person"
            refusals.append((name, Worded(f"not_kept_for_{kind}", f"not kept for {whom}")))
            continue
        if name == "contacts":
            values[name], bad_contacts = _contacts(value)
            refusals += bad_contacts
            continue
        try:
            values[name] = _normalise(name, value, kind, today)
        except (InvalidMobile, ValueError) as error:
            refusals.append((name, str(error)))
    if "other_mobiles" in values:
        values["other_mobiles"], bad_numbers = _other_mobiles(values["other_mobiles"] or [])
        refusals += bad_numbers
    if {"mobile", "other_mobiles"} & values.keys():
        _keep_primary_out_of_others(values, current)
    refusals += future_dates(today, birth_date=values.get("birth_date"))
    if any(field in ("id_number", "birth_date", "gender") for field, _ in refusals):
        return values, refusals
    number = values["id_number"] if "id_number" in values else current.get("id_number")
    if number and {"id_number", "birth_date", "gender"} & values.keys():
        refusals += disagreements_with_id(number, *(values[name] if name in values else current.get(name)
                                                    for name in ("birth_date", "gender")))
    return values, refusals


def _other_mobiles(raw: list[str]) -> tuple[list[str], list[Refusal]]:
    """E.164 each, in the order given, a repeated number kept once; a bad one is named by its position."""
    numbers, refusals = [], []
    for index, item in enumerate(raw):
        try:
            number = normalise_mobile(item)
        except InvalidMobile as error:
            refusals.append((f"other_mobiles/{index}", str(error)))
            continue
        if number not in numbers:
            numbers.append(number)
    return numbers, refusals


def _contacts(raw: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Refusal]]:
    contacts, refusals = [], []
    for index, contact in enumerate(raw):
        contact = {**contact, "name": contact["name"].strip(), "role": (contact.get("role") or "").strip() or None}
        if not contact["name"]:
            refusals.append((f"contacts/{index}/name", Worded("blank", "must not be blank")))
        if contact.get("mobile"):
            try:
                contact["mobile"] = normalise_mobile(contact["mobile"])
            except InvalidMobile as error:
                refusals.append((f"contacts/{index}/mobile", str(error)))
        contacts.append(contact)
    return contacts, refusals


def _keep_primary_out_of_others(values: dict[str, Any], current: dict[str, Any]) -> None:
    """Making a secondary number the primary one takes it off the other numbers."""
    primary = values["mobile"] if "mobile" in values else current.get("mobile")
    others = values["other_mobiles"] if "other_mobiles" in values else current.get("other_mobiles") or []
    if primary in others:
        values["other_mobiles"] = [number for number in others if number != primary]


def _normalise(name: str, value: Any, kind: str, today: date) -> Any:
    if name == "mobile":
        return normalise_mobile(value)
    if name == "email":
        return normalise_email(value)
    if name == "id_number":
        if kind == "organisation":
            raise Invalid("organisation_id_number", "an organisation has a credit_code, not a resident ID number")
        return normalise_resident_id(value, today)
    if name == "credit_code":
        return normalise_credit_code(value)
    if name == "tags":
        return sorted({tag.strip() for tag in value if tag.strip()})
    if name in TEXT_FIELDS:
        text = value.strip()
        if name == "name" and not text:
            raise Invalid("blank", "must not be blank")
        return text or None
    return value


def birthday_mm_dd(birth_date: date | None) -> str | None:
    return birth_date.strftime("%m-%d") if birth_date else None


def lunar_month_day(birth_date: date | None) -> str | None:
    """MM-DD of a solar birth date in the Chinese lunar calendar, for customers who celebrate the lunar birthday.
    A leap month counts as the month it repeats (the family celebrates in that month every year). Outside
    lunardate's table (lunar 1900-01-01 to 2099) it gives None: the package answers nonsense there, not an error."""
    if birth_date is None or not LUNAR_TABLE[0] <= birth_date <= LUNAR_TABLE[1]:
        return None
    lunar = LunarDate.from_solar_date(birth_date.year, birth_date.month, birth_date.day)
    return f"{lunar.month:02d}-{lunar.day:02d}"
