"""One batch of customer rows: validate each row like the API would (pure domain rules), look the batch's natural
keys up in one query, then write set-wise: new customers and their numbers in one COPY each, changed ones in one
flush, the events handed back to be staged in one COPY. Re-running a file finds every row unchanged.

Each outcome that is not a failure carries the record's version after the row (`version`, and for vehicles and
visits the owner's, `owner_version`): the row's fingerprint holds while they stay so (see `handlers.imports`)."""

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope
from crm_customer.domain import Refusal
from crm_customer.domain.customers import normalise_customer
from crm_customer.domain.pii import Keyring
from crm_customer.handlers import customers as customer_rules
from crm_customer.handlers.common import new_row
from crm_customer.models import Customer, CustomerCreate, CustomerMobile
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import imports as import_repository
from crm_kit.problem_texts import Worded, reason_of
from crm_kit.problems import field_error

Outcome = dict[str, Any]
CHECKED_TEXT = ("mobile", "email", "id_number", "credit_code")


class Staged(NamedTuple):
    """One line of the file, as staged: its number and its JSON object."""

    line: int
    payload: dict[str, Any]


def failed(row: Staged, refusals: list[Refusal]) -> Outcome:
    return {"line": row.line, "outcome": "failed", "errors": [field_error("body", f, d) for f, d in refusals]}


def parse(model: type[SQLModel], row: Staged) -> tuple[Any, list[Refusal]]:
    """Pydantic's own validator: SQLModel's `model_validate` gives the same result several times slower."""
    try:
        return model.__pydantic_validator__.validate_python(row.payload), []
    except ValidationError as error:
        return None, [("/".join(str(part) for part in e["loc"]), reason_of(e)) for e in error.errors()]


def wrong_dealer(data: Any, dealer_id: str) -> list[Refusal]:
    given = getattr(data, "dealer_id", None)
    return [("dealer_id", Worded("import_other_dealer", f"this import is for {dealer_id}", {"dealer": dealer_id}))
            ] if given not in (None, dealer_id) else []


async def customers(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[Staged]
                    ) -> tuple[list[Outcome], list[Envelope]]:
    today, now = date.today(), datetime.now(UTC)
    outcomes: dict[int, Outcome] = {}
    warnings: dict[int, list[str]] = {}
    valid: list[tuple[Staged, dict[str, Any]]] = []
    for row in rows:
        data, refusals = parse(CustomerCreate, row)
        if data is None:  # still name the fields the domain rules refuse, so one report lists them all
            plain = {k: v for k, v in row.payload.items() if k in CHECKED_TEXT and isinstance(v, str)}
            refusals += [r for r in normalise_customer(plain, "person", today)[1] if r[0] not in dict(refusals)]
        else:
            given = data.model_dump(exclude_unset=True) | {"kind": data.kind}
            values, refusals = normalise_customer(given, data.kind, today)
            refusals += wrong_dealer(data, dealer_id)
        if refusals:
            outcomes[row.line] = failed(row, refusals)
        else:
            warnings[row.line] = customer_rules.id_number_warnings(values)
            valid.append((row, customer_rules.columns_of(values, keyring, dealer_id) | {"kind": data.kind}))
    known = await customer_repository.find_by_keys(
        session, dealer_id, {n for _, c in valid for n in (c["mobile"], *c.get("other_mobiles", []))},
        {c["id_number_hash"] for _, c in valid if c.get("id_number_hash")})
    by_mobile = {number: c for c in known for number in customer_rules.mobiles_of(c)}
    by_hash = {c.id_number_hash: c for c in known if c.id_number_hash}
    events, fresh, renumbered = [], {}, {}
    for row, columns in valid:
        same_mobile, same_id = by_mobile.get(columns["mobile"]), by_hash.get(columns.get("id_number_hash"))
        if same_mobile and same_id and same_mobile.id != same_id.id:
            outcomes[row.line] = failed(row, [("id_number", f"belongs to another customer ({same_id.id})")])
            continue
        match = same_mobile or same_id
        holders = {by_mobile[n].id for n in columns.get("other_mobiles", []) if n in by_mobile} - {
            match.id if match else None}
        if holders:
            outcomes[row.line] = failed(row, [("other_mobiles", f"belongs to another customer ({min(holders)})")])
            continue
        if match is not None and columns["mobile"] in match.other_mobiles:
            del columns["mobile"]  # the row names the customer by another of their numbers: the primary stays
        if match is None:
            customer = customer_rules.new_customer(columns, keyring, dealer_id, now)
            fresh[customer.id] = customer
            events.append(customer_rules.registered(customer))
            outcome = "created"
        else:
            customer = match
            if customer.merged_into or customer.erased_at:
                outcomes[row.line] = failed(row, [("mobile", "that customer was merged or erased")])
                continue
            changed = customer_rules.apply_changes(customer, {k: v for k, v in columns.items() if k != "kind"}, now)
            if changed and customer.id not in fresh:  # a row created earlier in this batch is written below
                customer_repository.add(session, customer)
                events.append(customer_rules.updated(customer, changed))
            if {"mobile", "other_mobiles"} & set(changed):
                renumbered[customer.id] = customer
            outcome = "updated" if changed else "unchanged"
        by_mobile.update(dict.fromkeys(customer_rules.mobiles_of(customer), customer))
        if customer.id_number_hash:
            by_hash[customer.id_number_hash] = customer
        outcomes[row.line] = {"line": row.line, "outcome": outcome, "record_id": str(customer.id),
                              "version": customer.version, "warnings": warnings[row.line]}
    await import_repository.copy_rows(session, Customer, fresh.values())
    await session.flush()
    await customer_repository.sync_mobiles(session, [c for c in renumbered.values() if c.id not in fresh])
    await import_repository.copy_rows(session, CustomerMobile, (
        new_row(CustomerMobile, dealer_id=dealer_id, mobile=number, customer_id=customer.id)
        for customer in fresh.values() for number in dict.fromkeys(customer_rules.mobiles_of(customer))))
    return [outcomes[row.line] for row in rows], events


