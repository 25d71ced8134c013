"""/api/v1/profiles: what segmentation knows and thinks of each customer."""

import uuid

from fastapi import APIRouter

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.problems import not_found
from crm_segmentation.models import ProfilePublic, VehiclePublic
from crm_segmentation.repository import profiles as repository

router = APIRouter(prefix="/api/v1/profiles", tags=["profiles"])


@router.get("", response_model=Page[ProfilePublic])
async def list_profiles(session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                        principal: Principal = require(permissions.PROFILES_READ)) -> Page[ProfilePublic]:
    after = position_after(cursor, uuid.UUID)[0] if cursor else None
    rows = await repository.list_profiles(session, principal.dealer_filter(), limit + 1, after)
    items = [ProfilePublic.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda profile: (profile.customer_id,))


@router.get("/{customer_id}", response_model=ProfilePublic)
async def get_profile(customer_id: uuid.UUID, session: SessionDep,
                      principal: Principal = require(permissions.PROFILES_READ)) -> ProfilePublic:
    """A merged duplicate answers with its survivor's profile (`customer_id` tells which)."""
    profile = await repository.get_profile(session, customer_id)
    if profile is not None and profile.merged_into is not None:
        profile = await repository.get_profile(session, profile.merged_into)
    if profile is None:
        raise not_found("profile")
    check_dealer(principal, profile.dealer_id, "profile")
    vehicles = await repository.vehicles_of(session, profile.customer_id)
    shown = ProfilePublic.model_validate(profile, from_attributes=True)
    shown.vehicle_profiles = [VehiclePublic.model_validate(v, from_attributes=True) for v in vehicles]
    return shown
