"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from datetime import date

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent, ValidationError

from crm_customer.domain import Refusal

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
            detail = "impossible birth date" if _birth_date(number) is None else "unknown birth place"
            raise ValueError(f"not a valid resident ID number: {detail}") from error
    except ValidationError as error:
        raise ValueError(f"not a valid resident ID number: {error.message.lower()}") from error
    born = _birth_date(number)
    if today is not None and born > today:
        raise ValueError(f"not a valid resident ID number: its birth date {born} is in the future")
    return number


def resident_id_warning(number: str | None) -> str | None:
    """What to tell the user about a valid number whose county code is not on record for its birth year."""
    if not number:
        return None
    try:
        ric.get_birth_place(number)
    except (InvalidComponent, KeyError):
        return UNKNOWN_COUNTY.format(code=number[:6], year=number[6:10])
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
        refusals.append(("birth_date", f"does not match the resident ID number ({resident_id_birth_date(number)})"))
    if gender is not None and gender != resident_id_gender(number):
        refusals.append(("gender", f"does not match the resident ID number ({resident_id_gender(number)})"))
    return refusals


def normalise_credit_code(raw: str) -> str:
    try:
        return uscc.validate(raw)
    except ValidationError as error:
        raise ValueError(f"not a valid unified social credit code: {error.message.lower()}") from error


def mask_id_number(number: str | None) -> str | None:
    """11010519491231002X -> 1101**********002X"""
    if not number:
        return number
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
