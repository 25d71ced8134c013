"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from datetime import date

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from crm_customer.domain import Refusal
from crm_kit.problem_texts import Invalid, Worded

UNKNOWN_COUNTY = "birth-place code {code} is not a county on record for {year} (abolished or renamed): accepted"


def normalise_resident_id(raw: str, today: date | None = None) -> str:
    """18 characters with a valid birth date (not after `today`) and ISO 7064 MOD 11-2 check character (X
    upper-cased). The area code must name a known province; a county code that python-stdnum's table does not
    hold for the birth year is accepted (see `resident_id_warning`): old IDs keep the county they were issued in
    long after it was merged or renamed."""
    number = ric.compact(raw)
    try:
        ric.validate(number)
    except (InvalidComponent, KeyError) as error:  # KeyError: stdnum's table lacks a county for e.g. 449900
        if _birth_date(number) is None or not _known_province(number):
            part, detail = ("birth_date", "impossible birth date") if _birth_date(number) is None \
                else ("birth_place", "unknown birth place")
            raise Invalid(f"resident_id_{part}", "not a valid resident ID number: {reason}", reason=detail) from error
    except ValidationError as error:
        raise Invalid(f"resident_id_{_what_is_wrong(error)}", "not a valid resident ID number: {reason}",
                      reason=error.message.lower()) from error
    born = _birth_date(number)
    if today is not None and born > today:
        raise Invalid("resident_id_born_in_future",
                      "not a valid resident ID number: its birth date {born} is in the future", born=born)
    return number


def resident_id_warning(number: str | None) -> str | None:
    """What to tell the user about a valid number whose county code is not on record for its birth year."""
    if not number:
        return None
    try:
        ric.get_birth_place(number)
    except (InvalidComponent, KeyError):
        return Worded("resident_id_county_unknown", UNKNOWN_COUNTY.format(code=number[:6], year=number[6:10]),
                      {"code": number[:6], "year": number[6:10]})
    return None


def _birth_date(number: str) -> date | None:
    try:
        return ric.get_birth_date(number)
    except InvalidComponent:
        return None


def _known_province(number: str) -> bool:
    return any(props.get("province") for _, props in numdb.get("cn/loc").info(number[:2]))


def resident_id_birth_date(number: str) -> date:
    return ric.get_birth_date(number)


def resident_id_gender(number: str) -> str:
    """The 17th character, the sequence number's last digit: odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def disagreements_with_id(number: str, birth_date: date | None, gender: str | None) -> list[Refusal]:
    """What the record says that its resident ID number contradicts."""
    refusals = []
    if birth_date is not None and birth_date != resident_id_birth_date(number):
        refusals.append(("birth_date", _mismatch(resident_id_birth_date(number))))
    if gender is not None and gender != resident_id_gender(number):
        refusals.append(("gender", _mismatch(resident_id_gender(number))))
    return refusals


def normalise_credit_code(raw: str) -> str:
    try:
        return uscc.validate(raw)
    except ValidationError as error:
        raise Invalid(f"credit_code_{_what_is_wrong(error)}", "not a valid unified social credit code: {reason}",
                      reason=error.message.lower()) from error


def _what_is_wrong(error: ValidationError) -> str:
    """python-stdnum's exception class, as the stable part of an error type its English message is not."""
    kinds = ((InvalidChecksum, "checksum"), (InvalidLength, "length"), (InvalidFormat, "format"))
    return next((kind for cls, kind in kinds if isinstance(error, cls)), "invalid")


def _mismatch(expected: object) -> str:
    return Worded("resident_id_mismatch", f"does not match the resident ID number ({expected})", {"expected": expected})


def mask_id_number(number: str | None) -> str | None:
    """11010519491231002X -> 1101**********002X"""
    if not number:
        return number
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
