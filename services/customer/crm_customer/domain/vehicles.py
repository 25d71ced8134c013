"""VINs (ISO 3779 with the North American check digit), Chinese plates and odometer readings."""

import re

from crm_kit.problem_texts import Invalid, Worded

VIN_SHAPE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_VALUES = {**{str(d): d for d in range(10)},
              **dict(zip("ABCDEFGH", range(1, 9), strict=True)), **dict(zip("JKLMN", range(1, 6), strict=True)),
              "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))}

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "A-HJ-NP-Z"  # I and O are never used
REGULAR_PLATE = re.compile(rf"^[{PROVINCES}][{PLATE_LETTERS}][{PLATE_LETTERS}0-9]{{4}}[{PLATE_LETTERS}0-9挂学警港澳]$")
# New-energy plates: six characters after the letter; D (battery-electric) or F (other) first for small cars,
# last for large ones.
NEW_ENERGY_PLATE = re.compile(
    rf"^[{PROVINCES}][{PLATE_LETTERS}]([DF][{PLATE_LETTERS}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$")

# How a person may type them (either case, separators anywhere); normalising leaves the shapes above. The
# OpenAPI document states these, so that what the schema accepts is what the checks below accept.
SEPARATORS = r"[\s·•.-]"
VIN_AS_TYPED = r"^\s*[A-HJ-NPR-Za-hj-npr-z0-9]{17}\s*$"
_ANY_CASE = "A-HJ-NP-Za-hj-np-z"


def _typed(*classes: str) -> str:
    return f"{SEPARATORS}*".join(classes)


PLATE_AS_TYPED = "^{s}*({regular}|{small}|{large}){s}*$".format(
    s=SEPARATORS,
    regular=_typed(f"[{PROVINCES}]", f"[{_ANY_CASE}]", *[f"[{_ANY_CASE}0-9]"] * 4, f"[{_ANY_CASE}0-9挂学警港澳]"),
    small=_typed(f"[{PROVINCES}]", f"[{_ANY_CASE}]", "[DFdf]", f"[{_ANY_CASE}0-9]", *["[0-9]"] * 4),
    large=_typed(f"[{PROVINCES}]", f"[{_ANY_CASE}]", *["[0-9]"] * 5, "[DFdf]"))


def vin_check_digit(vin: str) -> str:
    total = sum(VIN_VALUES[char] * weight for char, weight in zip(vin, VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(raw: str) -> tuple[str, str | None]:
    """(the VIN upper-cased, a warning or None). China-made VINs (WMI starting with L) must carry a correct
    check digit; imported cars' VINs often do not use position 9 that way, so theirs only earns a warning."""
    vin = raw.strip().upper()
    if not VIN_SHAPE.match(vin):
        raise Invalid("vin_shape", "a VIN has 17 letters and digits, without I, O or Q")
    expected = vin_check_digit(vin)
    if vin[8] == expected:
        return vin, None
    if vin.startswith("L"):
        raise Invalid("vin_check_digit", "check digit (position 9) is {given}, the VIN's characters give {expected}",
                      given=vin[8], expected=expected)
    return vin, Worded("vin_check_digit_imported",
                       f"check digit (position 9) is {vin[8]}, expected {expected}: accepted as an imported vehicle",
                       {"given": vin[8], "expected": expected})


def normalise_plate(raw: str) -> str:
    plate = re.sub(SEPARATORS, "", raw).upper()
    if not (REGULAR_PLATE.match(plate) or NEW_ENERGY_PLATE.match(plate)):
        raise Invalid("plate_invalid",
                      "not a Chinese plate: province character, letter, then 5 characters (6 for new energy)")
    return plate


def odometer_refusal(km: int, last_km: int | None, correction: bool) -> str | None:
    """A reading lower than the last one is a typo unless someone says it corrects an earlier mistake."""
    if last_km is not None and km < last_km and not correction:
        return f"lower than the last reading ({last_km} km); send correction=true if the last one was wrong"
    return None
