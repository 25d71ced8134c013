"""/api/v1/vehicles and /api/v1/visits."""

import uuid
from datetime import date, datetime

from fastapi import APIRouter, Response

from crm_contracts import permissions
from crm_customer.api.shaping import vehicle_public
from crm_customer.handlers import vehicles as vehicle_handlers
from crm_customer.handlers import visits as visit_handlers
from crm_customer.models import (
    OdometerCreate,
    OdometerPublic,
    TransferRequest,
    VehicleCreate,
    VehiclePublic,
    VehicleUpdate,
    VisitCreate,
    VisitPublic,
)
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, etag

vehicles = APIRouter(prefix="/api/v1/vehicles", tags=["vehicles"])
visits = APIRouter(prefix="/api/v1/visits", tags=["visits"])


@vehicles.post("", status_code=201, response_model=VehiclePublic, responses=problems(404, 409))
async def register_vehicle(data: VehicleCreate, session: SessionDep, response: Response,
                           idempotency_key: IdempotencyKey = None,
                           principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> VehiclePublic:
    vehicle, warnings = await vehicle_handlers.register_vehicle(session, principal, data, idempotency_key)
    response.headers["Location"] = f"{vehicles.prefix}/{vehicle.id}"
    response.headers["ETag"] = etag(vehicle.version)
    return vehicle_public(vehicle, warnings=warnings)


@vehicles.get("", response_model=Page[VehiclePublic], responses=problems(400))
async def list_vehicles(session: SessionDep, customer_id: uuid.UUID | None = None, dealer_id: str | None = None,
                        limit: Limit = 50, cursor: Cursor = None,
                        principal: Principal = require(permissions.CUSTOMERS_READ)) -> Page[VehiclePublic]:
    """Vehicles newest first, each with its ownership history; with `customer_id`, the cars that customer owns
    now or owned before."""
    after = position_after(cursor, datetime.fromisoformat, uuid.UUID)
    found = await vehicle_handlers.list_vehicles(session, principal, customer_id=customer_id, dealer_id=dealer_id,
                                                 after=after, limit=limit)
    page = page_of(found, limit, lambda pair: (pair[0].created_at.isoformat(), pair[0].id))
    return Page(items=[vehicle_public(*pair) for pair in page.items], next_cursor=page.next_cursor)


@vehicles.get("/{vehicle_id}", response_model=VehiclePublic)
async def get_vehicle(vehicle_id: uuid.UUID, session: SessionDep, response: Response,
                      principal: Principal = require(permissions.CUSTOMERS_READ)) -> VehiclePublic:
    vehicle, ownership = await vehicle_handlers.read_vehicle(session, principal, vehicle_id)
    response.headers["ETag"] = etag(vehicle.version)
    return vehicle_public(vehicle, ownership)


@vehicles.patch("/{vehicle_id}", response_model=VehiclePublic, responses=problems(412, 428))
async def update_vehicle(vehicle_id: uuid.UUID, data: VehicleUpdate, session: SessionDep, response: Response,
                         if_match: IfMatch = None,
                         principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> VehiclePublic:
    vehicle = await vehicle_handlers.update_vehicle(session, principal, vehicle_id, data, if_match)
    response.headers["ETag"] = etag(vehicle.version)
    return vehicle_public(vehicle)


@vehicles.post("/{vehicle_id}/odometer", status_code=201, response_model=OdometerPublic)
async def record_odometer(vehicle_id: uuid.UUID, data: OdometerCreate, session: SessionDep,
                          idempotency_key: IdempotencyKey = None,
                          principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> OdometerPublic:
    reading = await vehicle_handlers.record_odometer(session, principal, vehicle_id, data, idempotency_key)
    return OdometerPublic.model_validate(reading, from_attributes=True)


@vehicles.post("/{vehicle_id}/transfer", response_model=VehiclePublic)
async def transfer_vehicle(vehicle_id: uuid.UUID, data: TransferRequest, session: SessionDep,
                           principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> VehiclePublic:
    vehicle, ownership = await vehicle_handlers.transfer(session, principal, vehicle_id, data)
    return vehicle_public(vehicle, ownership)


@visits.post("", status_code=201, response_model=VisitPublic, responses={
                 200: {"description": "A retried post: the visit stored the first time"}, **problems(404, 409)})
async def record_visit(data: VisitCreate, session: SessionDep, response: Response,
                       idempotency_key: IdempotencyKey = None,
                       principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> VisitPublic:
    visit, created = await visit_handlers.record_visit(session, principal, data, idempotency_key)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{visits.prefix}/{visit.id}"
    return VisitPublic.model_validate(visit, from_attributes=True)


@visits.get("", response_model=Page[VisitPublic])
async def list_visits(session: SessionDep, customer_id: uuid.UUID | None = None, vehicle_id: uuid.UUID | None = None,
                      visited_from: date | None = None, visited_to: date | None = None,
                      dealer_id: str | None = None, limit: Limit = 50, cursor: Cursor = None,
                      principal: Principal = require(permissions.CUSTOMERS_READ)) -> Page[VisitPublic]:
    """Visits newest first, by customer, vehicle and visit date (`visited_from`, `visited_to`: both included)."""
    filters = {"customer_id": customer_id, "vehicle_id": vehicle_id, "visited_from": visited_from,
               "visited_to": visited_to, "dealer_id": dealer_id}
    after = position_after(cursor, date.fromisoformat, uuid.UUID)
    found = await visit_handlers.list_visits(session, principal, filters, after=after, limit=limit)
    page = page_of(found, limit, lambda visit: (visit.visited_on, visit.id))
    return Page(items=[VisitPublic.model_validate(v, from_attributes=True) for v in page.items],
                next_cursor=page.next_cursor)


@visits.get("/{visit_id}", response_model=VisitPublic)
async def get_visit(visit_id: uuid.UUID, session: SessionDep,
                    principal: Principal = require(permissions.CUSTOMERS_READ)) -> VisitPublic:
    return VisitPublic.model_validate(await visit_handlers.read_visit(session, principal, visit_id),
                                      from_attributes=True)
