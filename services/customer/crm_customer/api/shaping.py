"""What a caller sees of a record: personal data masked unless they hold `pii:read`."""

from typing import Annotated

from fastapi import Depends, Request

from crm_contracts import permissions
from crm_customer.domain.contact import mask_email, mask_mobile, mask_name, mask_opaque
from crm_customer.domain.pii import Keyring
from crm_customer.handlers.common import open_id_number
from crm_customer.models import Customer, CustomerPublic, Ownership, OwnershipPublic, Vehicle, VehiclePublic
from crm_kit.auth import Principal

PUBLIC_COLUMNS = [name for name in CustomerPublic.model_fields if name not in ("id_number", "erased", "warnings")]


async def get_keyring(request: Request) -> Keyring:  # async: a plain def would hop to the threadpool
    return request.app.state.keyring


KeyringDep = Annotated[Keyring, Depends(get_keyring)]


def unmasked_for(principal: Principal) -> bool:
    return principal.can(permissions.READ_PII)


def customer_public(customer: Customer, keyring: Keyring, unmasked: bool, warnings: list[str] = ()) -> CustomerPublic:
    shown = {name: getattr(customer, name) for name in PUBLIC_COLUMNS}
    shown["warnings"] = list(warnings)
    shown["erased"] = customer.erased_at is not None
    if unmasked:
        shown["id_number"] = open_id_number(keyring, customer) or customer.id_number_masked
    else:
        shown.update(name=mask_name(customer.name, customer.kind), mobile=mask_mobile(customer.mobile),
                     other_mobiles=[mask_mobile(number) for number in customer.other_mobiles],
                     contacts=[{**c, "name": mask_name(c["name"], "person"), "mobile": mask_mobile(c.get("mobile"))}
                               for c in customer.contacts],
                     email=mask_email(customer.email), wechat_openid=mask_opaque(customer.wechat_openid),
                     birth_date=None, address=None, id_number=customer.id_number_masked)
    return CustomerPublic(**shown)


def vehicle_public(vehicle: Vehicle, ownership: list[Ownership] = (), warnings: list[str] = ()) -> VehiclePublic:
    shown = {name: getattr(vehicle, name) for name in Vehicle.model_fields}
    shown["ownership"] = [OwnershipPublic.model_validate(o, from_attributes=True) for o in ownership]
    shown["warnings"] = list(warnings)
    return VehiclePublic(**shown)
