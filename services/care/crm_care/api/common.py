"""What the care routes share: dealer scope for reads and writes, row shaping, problems."""

from typing import Any

import sqlalchemy as sa

from crm_kit.auth import Principal, check_dealer
from crm_kit.problems import Problem, field_error, invalid, not_found

PREFIX = "/api/v1/care"


def write_dealer(principal: Principal, dealer_id: str | None, where: str = "body") -> str:
    if dealer_id is None:
        if len(principal.dealers) == 1 and not principal.all_dealers:
            return next(iter(principal.dealers))
        raise invalid(field_error(where, "dealer_id", "required: you work for more than one dealer"))
    if not principal.sees(dealer_id):
        if where == "path":  # a dealer's own resource, e.g. its contact policy: as if it did not exist
            raise not_found("dealer")
        raise Problem(403, "Forbidden", "You cannot act for this dealer.",
                      errors=[field_error(where, "dealer_id", "not one of your dealers")])
    return dealer_id


def visible(principal: Principal, row: sa.Row | None, what: str) -> sa.Row:
    """Another dealer's record answers 404, as if it did not exist."""
    if row is None:
        raise not_found(what)
    check_dealer(principal, row.dealer_id, what)
    return row


def as_dict(row: sa.Row) -> dict[str, Any]:
    return dict(row._mapping)
