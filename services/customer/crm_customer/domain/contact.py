"""Contact data: mainland mobiles in E.164, e-mail addresses, WeChat ids, and how staff see them masked."""

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm_kit.problem_texts import Invalid


class InvalidMobile(Invalid):
    pass


PLAIN_MOBILE = re.compile(r"1\d{10}")
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@lru_cache(maxsize=65_536)  # an import names each customer's mobile on every vehicle and visit line
def normalise_mobile(raw: str) -> str:
    """A mainland mobile as E.164 (+8613800138000); accepts spaces, dashes and a +86/0086 prefix.

    Eleven plain digits (what nearly every import line holds) skip phonenumbers' string parsing, which would
    find the same national number; its type check still decides. For +86 numbers a mobile type implies
    `is_valid_number`, which asks the same question of the same metadata again."""
    if PLAIN_MOBILE.fullmatch(raw):
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(raw))
        if phonenumbers.number_type(number) not in MOBILE_TYPES:
            raise InvalidMobile("mobile_invalid", "not a valid mainland China mobile number (11 digits starting 13–19)")
        return f"+86{raw}"
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as error:
        raise InvalidMobile("phone_unparsable", "not a phone number") from error
    if number.country_code != 86 or phonenumbers.number_type(number) not in MOBILE_TYPES \
            or not phonenumbers.is_valid_number(number):
        raise InvalidMobile("mobile_invalid", "not a valid mainland China mobile number (11 digits starting 13–19)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """Syntax only (no DNS lookup: imports must not depend on the network); the domain part lower-cased."""
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Invalid("email_invalid", "not a valid e-mail address: {reason}", reason=error) from error


def mask_mobile(e164: str | None) -> str | None:
    """+8613800138000 -> 138****8000, the way Chinese dealers show a number to staff without PII rights."""
    if not e164:
        return e164
    national = e164.removeprefix("+86")
    return f"{national[:3]}****{national[-4:]}"


def mask_email(email: str | None) -> str | None:
    """wang.wei@example.com -> w***@example.com"""
    if not email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(name: str, kind: str) -> str:
    """王小明 -> 王**: the surname is enough to greet; an organisation's name is not personal data."""
    if kind == "organisation" or not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_opaque(value: str | None) -> str | None:
    """A WeChat openid or similar token: the first four characters only."""
    if not value:
        return value
    return value[:4] + "****"
