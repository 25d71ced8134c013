"""One search box, four kinds of key: what the staff member typed decides which customer filter is asked for."""

import re

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
# Province character, letter, then 5 (or 6 for new-energy) characters: 京A12345, 粤B D12345.
PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def search_filter(typed: str) -> dict[str, str] | None:
    """The customer API's query for what was typed; None when there is nothing to search for."""
    text = typed.strip()
    if not text:
        return None
    compact = re.sub(r"[\s-]", "", text).upper()
    if VIN.match(compact):
        return {"vin": compact}
    if PLATE.match(compact):
        return {"plate": compact}
    if MOBILE.match(compact):
        return {"mobile": compact}
    return {"name": text}
