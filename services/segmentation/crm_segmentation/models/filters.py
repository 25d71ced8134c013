"""The published shape of a segment filter, built from the whitelist in domain/filters.py so the two cannot drift.

Clients (and generated clients) read a typed, recursive schema: a rule per field type and operator, or a group.
The body is still checked by `filters.validate` alone, because its refusals point into the tree as dealers'
tools expect (`/filter/any/1/value`); the schema only states what that check accepts. Two rules stay in words:
a tree at most `MAX_DEPTH` groups deep, and a date value that must be a real calendar day.
"""

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, TypeAdapter, create_model
from pydantic_core import core_schema

from crm_segmentation.domain import filters

_KINDS = {bool: "Flag", int: "Count", float: "Amount", date: "Date", str: "Text"}
_ORDERINGS = tuple(op for op in filters.COMPARISONS if op not in ("eq", "ne"))


def _rules_for(kind: type) -> list[type]:
    names = tuple(name for name, field_kind in filters.FIELDS.items() if field_kind is kind)
    field = (Literal[names], Field(description="A profile field of this type"))  # type: ignore[valid-type]
    prefix = _KINDS[kind]
    shapes = [
        ("Equality", Literal["eq", "ne"], (kind | None, Field(description="null matches a missing value"))),
        ("Ordering", Literal[_ORDERINGS], (kind, ...)),  # type: ignore[valid-type]
        ("Range", Literal["between"], (list[kind], Field(min_length=2, max_length=2,  # type: ignore[valid-type]
                                                         description="[low, high], both ends included"))),
        ("Membership", Literal["in", "not_in"], (list[kind], ...)),  # type: ignore[valid-type]
    ]
    return [create_model(f"{prefix}{shape}Rule", __base__=_Rule, field=field, op=(op, ...), value=value)
            for shape, op, value in shapes]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PresenceRule(_Rule):
    """Whether a field has a value (for a vehicle field: whether any vehicle has one); no value is compared."""

    field: Literal[tuple(filters.FIELDS)]  # type: ignore[valid-type]
    op: Literal["is_null", "not_null"]
    value: Any = None


class AllOf(BaseModel):
    """Every filter of the list matches."""

    model_config = ConfigDict(extra="forbid")

    all: list["SegmentFilterShape"] = Field(min_length=1)


class AnyOf(BaseModel):
    """At least one filter of the list matches."""

    model_config = ConfigDict(extra="forbid")

    any: list["SegmentFilterShape"] = Field(min_length=1)


class NoneOf(BaseModel):
    """The filter does not match."""

    model_config = ConfigDict(extra="forbid")

    not_: "SegmentFilterShape" = Field(alias="not")


_RULES = [rule for kind in _KINDS for rule in _rules_for(kind)]
SegmentFilterShape = Union[tuple([*_RULES, PresenceRule, AllOf, AnyOf, NoneOf])]  # type: ignore[valid-type]  # noqa: UP007
for _group in (AllOf, AnyOf, NoneOf):
    _group.model_rebuild()
_SHAPE = TypeAdapter(SegmentFilterShape)


class _PublishedShape:
    """Validates as a plain JSON object (checked later with pointers) but documents the typed tree."""

    @staticmethod
    def __get_pydantic_json_schema__(_: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        schema = handler(_SHAPE.core_schema)
        schema["description"] = (f"A rule or a group of filters, at most {filters.MAX_DEPTH} groups deep; a date is "
                                 "a calendar day (YYYY-MM-DD). See the segmentation README.")
        return schema


SegmentFilter = Annotated[dict[str, Any], _PublishedShape()]
