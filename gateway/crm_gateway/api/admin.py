"""/api/v1/admin: dealers, staff users, API clients. Dealer administrators see and manage their own dealer."""

import uuid

from fastapi import APIRouter, Response

from crm_contracts import permissions
from crm_gateway.domain.roles import ROLE_TITLES, ROLES
from crm_gateway.handlers import admin as handlers
from crm_gateway.models import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientPublic,
    ApiClientSecretRotated,
    ApiClientUpdate,
    DealerCreate,
    DealerPublic,
    RolePublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from crm_gateway.repository import identity as repository
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.problems import not_found
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.get("/roles", summary="The roles and the permissions each grants")
async def roles(principal: Principal = require(permissions.ADMIN)) -> list[RolePublic]:
    return [RolePublic(role=role, title=ROLE_TITLES[role], permissions=sorted(granted))
            for role, granted in ROLES.items()]


@router.post("/dealers", status_code=201, response_model=DealerPublic, responses=problems(409))
async def create_dealer(data: DealerCreate, session: SessionDep, response: Response,
                        principal: Principal = require(permissions.ADMIN)) -> DealerPublic:
    handlers.network_only(principal)
    async with session.begin():
        dealer = await handlers.create_dealer(session, data)
    response.headers["Location"] = f"{router.prefix}/dealers/{dealer.id}"
    return DealerPublic.model_validate(dealer)


@router.get("/dealers", response_model=Page[DealerPublic])
async def list_dealers(session: SessionDep, principal: Principal = require(permissions.ADMIN), limit: Limit = 50,
                       cursor: Cursor = None) -> Page[DealerPublic]:
    after = position_after(cursor, str)[0] if cursor else None
    async with session.begin():
        found = await repository.dealers(session, principal.dealer_filter(), limit, after)
    page = page_of(found, limit, lambda d: (d.id,))
    return Page(items=[DealerPublic.model_validate(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/dealers/{dealer_id}", response_model=DealerPublic, responses=problems(404))
async def get_dealer(dealer_id: str, session: SessionDep, principal: Principal = require(permissions.ADMIN)
                     ) -> DealerPublic:
    async with session.begin():
        dealer = await repository.dealer(session, dealer_id)
    if dealer is None or not principal.sees(dealer_id):
        raise not_found("dealer")
    return DealerPublic.model_validate(dealer)


@router.post("/users", status_code=201, response_model=UserPublic, responses=problems(409))
async def create_user(data: UserCreate, session: SessionDep, response: Response,
                      principal: Principal = require(permissions.ADMIN)) -> UserPublic:
    async with session.begin():
        user = await handlers.create_user(session, principal, data)
    response.headers["Location"] = f"{router.prefix}/users/{user.id}"
    return user


@router.get("/users", response_model=Page[UserPublic])
async def list_users(session: SessionDep, principal: Principal = require(permissions.ADMIN), limit: Limit = 50,
                     cursor: Cursor = None) -> Page[UserPublic]:
    after = position_after(cursor, str)[0] if cursor else None
    async with session.begin():
        found = await repository.users(session, principal.dealer_filter(), limit, after)
        page = page_of(found, limit, lambda u: (u.username,))
        dealers = await repository.memberships(session, [u.id for u in page.items])
    return Page(items=[handlers.public_user(u, ["*"] if u.all_dealers else dealers[u.id]) for u in page.items],
                next_cursor=page.next_cursor)


@router.get("/users/{user_id}", response_model=UserPublic, responses=problems(404))
async def get_user(user_id: uuid.UUID, session: SessionDep, response: Response,
                   principal: Principal = require(permissions.ADMIN)) -> UserPublic:
    async with session.begin():
        user, dealers = await handlers.visible_user(session, principal, user_id)
    tag(response, user.version)
    return handlers.public_user(user, dealers)


@router.patch("/users/{user_id}", response_model=UserPublic, responses=problems(404, 409, 412, 428))
async def update_user(user_id: uuid.UUID, data: UserUpdate, session: SessionDep, response: Response,
                      if_match: IfMatch = None, principal: Principal = require(permissions.ADMIN)) -> UserPublic:
    """Send If-Match with the ETag of your last read of the user (or its `version`, quoted)."""
    async with session.begin():
        user = await handlers.update_user(session, principal, user_id, data, if_match)
    tag(response, user.version)
    return user


@router.post("/clients", status_code=201, response_model=ApiClientCreated, responses=problems(409))
async def create_client(data: ApiClientCreate, session: SessionDep, response: Response,
                        principal: Principal = require(permissions.ADMIN)) -> ApiClientCreated:
    handlers.network_only(principal)
    async with session.begin():
        created = await handlers.create_client(session, data)
    response.headers["Location"] = f"{router.prefix}/clients/{created.client_id}"
    return created


@router.get("/clients", response_model=Page[ApiClientPublic])
async def list_clients(session: SessionDep, principal: Principal = require(permissions.ADMIN), limit: Limit = 50,
                       cursor: Cursor = None) -> Page[ApiClientPublic]:
    after = position_after(cursor, str)[0] if cursor else None
    async with session.begin():
        found = await repository.clients(session, principal.dealer_filter(), limit, after)
    page = page_of(found, limit, lambda c: (c.client_id,))
    return Page(items=[ApiClientPublic.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/clients/{client_id}", response_model=ApiClientPublic, responses=problems(404))
async def get_client(client_id: str, session: SessionDep, response: Response,
                     principal: Principal = require(permissions.ADMIN)) -> ApiClientPublic:
    async with session.begin():
        client = await handlers.visible_client(session, principal, client_id)
    tag(response, client.version)
    return ApiClientPublic.model_validate(client)


@router.patch("/clients/{client_id}", response_model=ApiClientPublic, responses=problems(
    403, 404, 412, 428, s403="Only an administrator of every dealer changes a client"),
    summary="Disable or enable an API client, or rename it")
async def update_client(client_id: str, data: ApiClientUpdate, session: SessionDep, response: Response,
                        if_match: IfMatch = None, principal: Principal = require(permissions.ADMIN)
                        ) -> ApiClientPublic:
    """Send If-Match with the ETag of your last read of the client (or its `version`, quoted).

    A disabled client is refused by the client_credentials grant at once; an access token it already holds
    stays valid until it expires (`expires_in` of the grant, one hour by default)."""
    async with session.begin():
        client = await handlers.update_client(session, principal, client_id, data, if_match)
    tag(response, client.version)
    return ApiClientPublic.model_validate(client)


@router.post("/clients/{client_id}/secret", response_model=ApiClientSecretRotated, responses=problems(
    403, 404, s403="Only an administrator of every dealer rotates a secret"), summary="Rotate a client's secret")
async def rotate_client_secret(client_id: str, session: SessionDep, response: Response,
                               principal: Principal = require(permissions.ADMIN)) -> ApiClientSecretRotated:
    """The new secret is in this answer only. The old one is refused from now on; access tokens already
    issued with it stay valid until they expire."""
    async with session.begin():
        rotated = await handlers.rotate_secret(session, principal, client_id)
    tag(response, rotated.version)
    response.headers["Cache-Control"] = "no-store"
    return rotated
