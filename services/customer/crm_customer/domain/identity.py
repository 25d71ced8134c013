"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from crm_customer.domain import Refusal


def normalise_resident_id(raw: str) -> str:
    """18 characters with a valid birth date and ISO 7064 MOD 11-2 check character (X upper-cased)."""
    try:
        return ric.validate(raw)
    except ValidationError as error:
        raise ValueError(f"not a valid resident ID number: {error.message.lower()}") from error


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
