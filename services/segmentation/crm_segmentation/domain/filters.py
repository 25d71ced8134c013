"""Segment filters: a JSON tree over profile fields, checked against a whitelist, never `eval`.

    {"all": [{"field": "retention_status", "op": "eq", "value": "dormant"},
             {"any": [{"field": "rfm_segment", "op": "in", "value": ["at_risk", "cant_lose"]},
                      {"not": {"field": "value_type", "op": "eq", "value": "abandon"}}]}]}

Leaves compare one field with a value; `all`, `any` and `not` combine them. A missing field value
(None) matches only `is_null` / `eq null`. `between` takes `[low, high]`, both ends included.

`vehicle_age_years` (车龄, whole years since delivery, 10 meaning ten and older as in the KPIs) is a field of
the customer's vehicles, not of the profile: a leaf on it matches when any one vehicle satisfies it, so
`between [3, 5]` finds an owner of a car aged 3 to 5 even if another car of theirs is new. `is_null`
matches a customer with no vehicle of known age.
"""

import operator
from datetime import date
from typing import Any

FIELDS: dict[str, type] = {
    "kind": str, "status": str, "erased": bool,
    "visits_total": int, "visits_12m": int, "spend_total": float, "spend_12m": float, "margin_total": float,
    "margin_12m": float, "first_purchase_on": date, "last_purchase_on": date, "last_service_on": date,
    "last_visit_on": date, "months_since_last_service": int, "vehicles": int,
    "recency_score": int, "frequency_score": int, "monetary_score": int, "rfm_segment": str, "rfm_type": str,
    "abc_class": str, "clv": float, "clv_manual": float, "p_alive": float, "expected_visits_12m": float,
    "value_type": str, "lifecycle_stage": str, "retention_status": str, "churn_risk": str,
    "first_service_status": str, "vehicle_age_years": int,
}
VEHICLE_FIELDS = frozenset({"vehicle_age_years"})  # the view holds a list: one value per vehicle
COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
               "ge": operator.ge}
OPERATORS = {*COMPARISONS, "between", "in", "not_in", "is_null", "not_null"}
MAX_DEPTH = 8


def validate(tree: Any, pointer: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """Every problem as (JSON pointer, detail); empty when the tree is usable."""
    if depth > MAX_DEPTH:
        return [(pointer, f"nested deeper than {MAX_DEPTH} levels")]
    if not isinstance(tree, dict) or len(tree) == 0:
        return [(pointer, "a filter is an object: a leaf {field, op, value} or one of all/any/not")]
    if set(tree) in ({"all"}, {"any"}):
        (key, children), = tree.items()
        if not isinstance(children, list) or not children:
            return [(f"{pointer}/{key}", "a non-empty list of filters")]
        return [e for i, child in enumerate(children) for e in validate(child, f"{pointer}/{key}/{i}", depth + 1)]
    if set(tree) == {"not"}:
        return validate(tree["not"], f"{pointer}/not", depth + 1)
    return _validate_leaf(tree, pointer)


def _validate_leaf(leaf: dict, pointer: str) -> list[tuple[str, str]]:
    errors = []
    unknown = set(leaf) - {"field", "op", "value"}
    errors += [(f"{pointer}/{key}", "not a filter key") for key in sorted(unknown)]
    field, op = leaf.get("field"), leaf.get("op")
    if field not in FIELDS:
        errors.append((f"{pointer}/field", f"unknown field; one of {', '.join(sorted(FIELDS))}"))
    if op not in OPERATORS:
        errors.append((f"{pointer}/op", f"unknown operator; one of {', '.join(sorted(OPERATORS))}"))
    if errors or op in ("is_null", "not_null"):
        return errors
    value = leaf.get("value")
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not isinstance(value, list):
        return [(f"{pointer}/value", "a list for in / not_in")]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2 or None in value:
            return [(f"{pointer}/value", "[low, high] for between")]
        values = value
    for item in values:
        if item is None and op in ("eq", "ne"):
            continue
        if _coerce(FIELDS[field], item) is None:
            return [(f"{pointer}/value", f"not a valid {FIELDS[field].__name__} for {field}")]
    return errors


def _coerce(kind: type, value: Any) -> Any:
    if kind is bool:
        return value if isinstance(value, bool) else None
    if kind is int:  # JSON Schema counts 2.0 as an integer, so the filter does too
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind is float:
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind is date:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    return value if isinstance(value, str) else None


def matches(tree: dict, profile: dict[str, Any]) -> bool:
    """Evaluate a validated tree against one profile's fields (a list of values for a vehicle field)."""
    if "all" in tree:
        return all(matches(child, profile) for child in tree["all"])
    if "any" in tree:
        return any(matches(child, profile) for child in tree["any"])
    if "not" in tree:
        return not matches(tree["not"], profile)
    field = tree["field"]
    if field in VEHICLE_FIELDS:
        known = [value for value in profile.get(field) or [] if value is not None]
        if tree["op"] == "is_null":
            return not known
        return any(_leaf(tree, value) for value in known)
    return _leaf(tree, profile.get(field))


def _leaf(tree: dict, actual: Any) -> bool:
    field, op = tree["field"], tree["op"]
    if op == "is_null":
        return actual is None
    if op == "not_null":
        return actual is not None
    kind = FIELDS[field]
    if op in ("in", "not_in"):
        found = actual is not None and actual in {_coerce(kind, v) for v in tree["value"]}
        return found if op == "in" else not found
    expected = tree["value"]
    if expected is None:
        return (actual is None) == (op == "eq")
    if actual is None:
        return op == "ne"
    if kind is float:
        actual = float(actual)
    if op == "between":
        low, high = (_coerce(kind, v) for v in expected)
        return low <= actual <= high
    return COMPARISONS[op](actual, _coerce(kind, expected))
