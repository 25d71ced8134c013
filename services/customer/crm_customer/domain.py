"""Rules about customers with no I/O: normalising and masking contact data."""

import phonenumbers


class InvalidMobile(ValueError):
    pass


def normalise_mobile(raw: str) -> str:
    """A mainland mobile as E.164 (+8613800138000); accepts spaces, dashes and a +86/0086 prefix."""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as error:
        raise InvalidMobile("not a phone number") from error
    if number.country_code != 86 or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    ) or not phonenumbers.is_valid_number(number):
        raise InvalidMobile("not a valid mainland China mobile number (11 digits starting 13–19)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_mobile(e164: str) -> str:
    """+8613800138000 -> 138****8000, the way Chinese dealers show a number to staff without PII rights."""
    national = e164.removeprefix("+86")
    return f"{national[:3]}****{national[-4:]}"
