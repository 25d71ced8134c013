"""HTTP routes of the customer service: parse, authorise, call a handler, shape the reply."""

import uuid

from fastapi import APIRouter, Response

from crm_contracts import permissions
from crm_customer import handlers, repository
from crm_customer.domain import mask_mobile
from crm_customer.models import Customer, CustomerCreate, CustomerPublic
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.problems import Problem, field_error, invalid, not_found

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


def public(customer: Customer, principal: Principal) -> CustomerPublic:
    shown = CustomerPublic.model_validate(customer, from_attributes=True)
    if not principal.can(permissions.READ_PII):
        shown.mobile = mask_mobile(customer.mobile)
    return shown


def dealer_for_write(principal: Principal, requested: str | None) -> str:
    if requested is None:
        if len(principal.dealers) == 1 and not principal.all_dealers:
            return next(iter(principal.dealers))
        raise invalid(field_error("body", "dealer_id", "required: you work for more than one dealer"))
    if not principal.sees(requested):
        raise Problem(403, "Forbidden", "You cannot write to this dealer.",
                      errors=[field_error("body", "dealer_id", "not one of your dealers")])
    return requested


@router.post("", status_code=201, response_model=CustomerPublic)
async def register_customer(data: CustomerCreate, session: SessionDep, response: Response,
                            principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> CustomerPublic:
    customer = await handlers.register_customer(session, data, dealer_for_write(principal, data.dealer_id))
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    response.headers["ETag"] = f'"{customer.version}"'
    return public(customer, principal)


@router.get("/{customer_id}", response_model=CustomerPublic)
async def get_customer(customer_id: uuid.UUID, session: SessionDep, response: Response,
                       principal: Principal = require(permissions.CUSTOMERS_READ)) -> CustomerPublic:
    customer = await repository.get_customer(session, customer_id)
    if customer is None:
        raise not_found("customer")
    check_dealer(principal, customer.dealer_id, "customer")
    response.headers["ETag"] = f'"{customer.version}"'
    return public(customer, principal)
