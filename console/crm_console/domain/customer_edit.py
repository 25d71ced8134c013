"""Editing a customer's contact details: which fields the form has, and what the user actually changed.

The form carries, beside each input, the value it was rendered from (`was.<field>`). Only the fields the
user changed are sent, so re-applying a change over a colleague's newer edit keeps the colleague's other
fields; and a stale edit can be shown field by field: as it was, as it is now, the user's change.
"""

from collections.abc import Mapping
from dataclasses import dataclass

FIELDS = ("name", "mobile", "other_mobiles", "email", "gender", "birth_date", "province", "city", "address")
GENDERS = ("male", "female")
# An emptied field is sent as null (cleared); a name cannot be cleared, the service would refuse it anyway.
REQUIRED = ("name",)


def shown(customer: Mapping) -> dict[str, str]:
    """The record as the form's inputs hold it: text, other mobiles one per line."""
    values = {}
    for name in FIELDS:
        value = customer.get(name)
        if name == "other_mobiles":
            values[name] = "\n".join(value or [])
        else:
            values[name] = "" if value is None else str(value)
    return values


def typed(form: Mapping[str, str], prefix: str = "") -> dict[str, str]:
    """The inputs as typed, trimmed, with line breaks made uniform."""
    values = {}
    for name in FIELDS:
        value = str(form.get(prefix + name) or "").replace("\r\n", "\n").strip()
        if name == "other_mobiles":
            value = "\n".join(line.strip() for line in value.split("\n") if line.strip())
        values[name] = value
    return values


def changes(was: Mapping[str, str], now: Mapping[str, str]) -> dict[str, str]:
    return {name: now[name] for name in FIELDS if now[name] != was[name]}


def body_of(changed: Mapping[str, str]) -> dict:
    """The PATCH body: only the changed fields, in the API's shape."""
    body: dict = {}
    for name, value in changed.items():
        if name == "other_mobiles":
            body[name] = [line for line in value.split("\n") if line]
        else:
            body[name] = value or None
    return body


def missing(changed: Mapping[str, str]) -> dict[str, str]:
    """Refusals the console can name before asking the service (field -> catalogue key)."""
    return {name: f"customer_edit.invalid.{name}" for name in REQUIRED if name in changed and not changed[name]}


def field_errors(problem_fields: Mapping[str, str]) -> dict[str, str]:
    """The service's field errors (`mobile`, `other_mobiles/1`) as the form's fields and their Chinese texts."""
    errors = {}
    for pointer in problem_fields:
        name = pointer.split("/")[0]
        if name in FIELDS:
            errors.setdefault(name, f"customer_edit.invalid.{name}")
    return errors


@dataclass(frozen=True)
class Difference:
    """One field of a stale edit: what the user saw, what the record says now, what the user typed."""

    field: str
    was: str
    now: str
    mine: str

    @property
    def moved(self) -> bool:
        """A colleague changed this very field meanwhile: re-applying would overwrite their value."""
        return self.now != self.was


def stale(was: Mapping[str, str], now: Mapping[str, str], mine: Mapping[str, str]) -> list[Difference]:
    """Every field that someone touched: the user, the colleague, or both."""
    return [Difference(name, was[name], now[name], mine[name]) for name in FIELDS
            if mine[name] != was[name] or now[name] != was[name]]
