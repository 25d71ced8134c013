"""The segment builder's rows (field, operator, value) and the segmentation filter tree they stand for.

The form is a flat list of rows joined by "all"; the service checks the tree again (whitelist of fields and
operators), so this only keeps a person from sending what the page cannot explain back to them.
"""

import re
from dataclasses import dataclass
from datetime import date

CHOICE, WHOLE, AMOUNT, DAY, AGE = "choice", "whole", "amount", "day", "age"
EQUALITY = ("eq", "ne")
ORDER = ("ge", "le", "eq", "gt", "lt")
# A vehicle age range is one row ("3-5"): two rows would each be met by a different car of the same owner.
AGE_OPERATORS = ("ge", "le", "eq", "between")
RANGE = re.compile(r"(\d{1,2})\s*[-–~～至到]\s*(\d{1,2})")


@dataclass(frozen=True)
class Field:
    key: str  # the profile field the service filters on; also the label key segments.field.<key>
    kind: str
    choices: tuple[str, ...] = ()
    term: str = ""  # the shell catalogue group that names each choice (value_type.vip → 贵宾型)

    @property
    def operators(self) -> tuple[str, ...]:
        if self.kind == CHOICE:
            return EQUALITY
        return AGE_OPERATORS if self.kind == AGE else ORDER


# In the order a CS planner thinks about a customer: what they are worth, where they are, how they behave.
FIELDS = (
    Field("value_type", CHOICE, ("vip", "improve", "maintain", "abandon"), "value_type"),
    Field("lifecycle_stage", CHOICE, ("prospect", "growth", "maturity", "decline", "terminated"), "lifecycle"),
    Field("retention_status", CHOICE, ("active", "dormant", "lost"), "retention"),
    Field("rfm_segment", CHOICE, ("champions", "loyal", "potential_loyalists", "new", "promising",
                                  "needs_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating"),
          "rfm_segment"),
    Field("abc_class", CHOICE, ("A", "B", "C"), "abc"),
    Field("churn_risk", CHOICE, ("low", "medium", "high"), "churn_risk"),
    Field("vehicle_age_years", AGE),  # 车龄: any of the customer's cars, 10 meaning ten years and older
    Field("months_since_last_service", WHOLE),
    Field("vehicles", WHOLE),
    Field("visits_12m", WHOLE),
    Field("spend_12m", AMOUNT),
    Field("last_visit_on", DAY),
)
BY_KEY = {field.key: field for field in FIELDS}
MAX_ROWS = 12


@dataclass(frozen=True)
class Row:
    field: str
    op: str
    value: str


def blank_row() -> Row:
    return Row(FIELDS[0].key, FIELDS[0].operators[0], FIELDS[0].choices[0])


def rows_from_form(fields: list[str], ops: list[str], values: list[str]) -> list[Row]:
    """The rows as posted (repeated form fields in order); a missing value reads as empty, not as a shift."""
    rows = []
    for index, key in enumerate(fields[:MAX_ROWS]):
        op = ops[index] if index < len(ops) else ""
        value = values[index].strip() if index < len(values) else ""
        field = BY_KEY.get(key)
        if field is not None and op not in field.operators:
            op = field.operators[0]  # the field changed under an operator it does not take
        if field is not None and field.kind == CHOICE and value not in field.choices:
            value = field.choices[0]
        rows.append(Row(key, op, value))
    return rows


def _value(field: Field, op: str, text: str) -> tuple[object, str | None]:
    if field.kind == CHOICE:
        return text, None
    if text == "":
        return None, "segments.error.value_missing"
    if field.kind == AGE and op == "between":
        found = RANGE.fullmatch(text)
        if not found or int(found[1]) > int(found[2]):
            return None, "segments.error.age_range"
        return [int(found[1]), int(found[2])], None
    if field.kind in (WHOLE, AGE):
        return (int(text), None) if re.fullmatch(r"\d{1,6}", text) else (None, "segments.error.whole")
    if field.kind == AMOUNT:
        cleaned = text.replace(",", "").replace("¥", "").strip()
        return (float(cleaned), None) if re.fullmatch(r"\d{1,12}(\.\d{1,2})?", cleaned) else (
            None, "segments.error.amount")
    try:
        return date.fromisoformat(text).isoformat(), None
    except ValueError:
        return None, "segments.error.day"


def filter_of(rows: list[Row]) -> tuple[dict | None, dict[int, str]]:
    """The filter tree for the service and, per row index, the message key of what is wrong with it."""
    leaves, errors = [], {}
    for index, row in enumerate(rows):
        field = BY_KEY.get(row.field)
        if field is None:
            errors[index] = "segments.error.field"
            continue
        value, error = _value(field, row.op, row.value)
        if error:
            errors[index] = error
            continue
        leaves.append({"field": field.key, "op": row.op, "value": value})
    if errors:
        return None, errors
    if not leaves:
        return None, {-1: "segments.error.no_rows"}
    return {"all": leaves}, {}


def rows_of(tree: dict | None) -> list[Row]:
    """A saved filter back as rows, for showing it; a tree the builder did not make is shown as no rows."""
    if not tree or set(tree) != {"all"}:
        return []
    return [Row(leaf["field"], leaf["op"], _text(leaf.get("value", ""))) for leaf in tree["all"]
            if isinstance(leaf, dict) and leaf.get("field") in BY_KEY]


def editable_rows(tree: dict | None) -> list[Row] | None:
    """The rows the builder can edit without losing a condition; None for a filter it did not make (made
    through the API), which editing here would silently narrow."""
    rows = rows_of(tree)
    if not rows or len(rows) != len(tree["all"]) or len(rows) > MAX_ROWS:
        return None
    if any(row.op not in BY_KEY[row.field].operators for row in rows):
        return None
    return rows


def _text(value: object) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{value[0]}-{value[1]}"
    return str(value)


def edit_rows(rows: list[Row], action: str) -> list[Row]:
    """Add a row (a copy of the blank one) or remove row i; the last row stays so the form is never empty."""
    if action == "add" and len(rows) < MAX_ROWS:
        return [*rows, blank_row()]
    if action.startswith("remove:") and action[7:].isdigit():
        index = int(action[7:])
        kept = [row for i, row in enumerate(rows) if i != index]
        return kept or [blank_row()]
    return rows or [blank_row()]
