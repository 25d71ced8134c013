"""Administration: dealers, staff users and API clients. A dealer administrator manages its own dealer only."""

import secrets
import uuid
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import REGISTRY
from crm_contracts.permissions import ALL_DEALERS
from crm_gateway.domain.roles import EVERY_PERMISSION, NETWORK_ROLES, unknown_roles
from crm_gateway.handlers.passwords import hash_secret
from crm_gateway.models import (
    ApiClient,
    ApiClientCreate,
    ApiClientCreated,
    ApiClientSecretRotated,
    ApiClientUpdate,
    Dealer,
    DealerCreate,
    StaffUser,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from crm_gateway.repository import identity as repository
from crm_kit.auth import Principal
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_kit.versioning import check_if_match


def network_only(principal: Principal) -> None:
    if not principal.all_dealers:
        raise Problem(403, "Forbidden", "Only an administrator of every dealer may do this.")


async def create_dealer(session: AsyncSession, data: DealerCreate) -> Dealer:
    if await repository.dealer(session, data.id) is not None:
        raise Problem(409, "Conflict", f"Dealer {data.id} exists already.")
    dealer = Dealer.model_validate(data)
    session.add(dealer)
    return dealer


async def _check_grant(session: AsyncSession, principal: Principal, roles: list[str] | None,
                       dealers: list[str] | None) -> None:
    errors, unknown = [], []
    if roles is not None:
        if unknown_role := unknown_roles(roles):
            errors.append(field_error("body", "/roles", f"unknown role(s): {', '.join(unknown_role)}"))
        elif not principal.all_dealers and NETWORK_ROLES & set(roles):
            errors.append(field_error("body", "/roles", "only an administrator of every dealer grants these roles"))
    if dealers is not None:
        if ALL_DEALERS in dealers:
            if len(dealers) > 1:
                errors.append(field_error("body", "/dealers", '"*" stands alone'))
            elif not principal.all_dealers:
                errors.append(field_error("body", "/dealers", "you cannot grant every dealer"))
        else:
            if outside := [d for d in dealers if not principal.sees(d)]:
                errors.append(field_error("body", "/dealers", f"not your dealer(s): {', '.join(outside)}"))
            elif missing := await repository.missing_dealers(session, dealers):
                # A well-formed id of no dealer: the body is valid, the records it names are not there.
                unknown.append(field_error("body", "/dealers", f"unknown dealer(s): {', '.join(missing)}"))
    if errors:
        raise invalid(*errors)
    if unknown:
        raise Problem(409, "Conflict", "No such dealer.", errors=unknown)


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> UserPublic:
    await _check_grant(session, principal, data.roles, data.dealers)
    if not data.dealers:
        raise invalid(field_error("body", "/dealers", "a user needs at least one dealer"))
    if await repository.user_by_name(session, data.username) is not None:
        raise Problem(409, "Conflict", f"The username {data.username} is taken.")
    user = StaffUser(username=data.username, display_name=data.display_name, roles=sorted(set(data.roles)),
                     password_hash=await hash_secret(data.password), all_dealers=data.dealers == [ALL_DEALERS],
                     must_change_password=True)  # the administrator chose it: a temporary password
    session.add(user)
    await session.flush()
    if not user.all_dealers:
        await repository.set_memberships(session, user.id, data.dealers)
    return public_user(user, sorted(set(data.dealers)))


async def visible_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID, lock: bool = False
                       ) -> tuple[StaffUser, list[str]]:
    user = await repository.user(session, user_id, lock=lock)
    if user is None:
        raise not_found("user")
    dealers = [ALL_DEALERS] if user.all_dealers else (await repository.memberships(session, [user.id]))[user.id]
    if not principal.all_dealers and (user.all_dealers or not dealers or not all(map(principal.sees, dealers))):
        raise not_found("user")
    return user, dealers


async def update_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate,
                      if_match: str | None) -> UserPublic:
    user, dealers = await visible_user(session, principal, user_id, lock=True)
    check_if_match(if_match, user.version)
    await _check_grant(session, principal, data.roles, data.dealers)
    if data.roles is not None:
        user.roles = sorted(set(data.roles))
    if data.password is not None:
        # An administrator's reset: the user signs in with it once and chooses their own.
        user.password_hash = await hash_secret(data.password)
        user.must_change_password = True
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.active is not None:
        user.active = data.active
    if data.dealers is not None:
        if not data.dealers:
            raise invalid(field_error("body", "/dealers", "a user needs at least one dealer"))
        user.all_dealers = data.dealers == [ALL_DEALERS]
        await repository.set_memberships(session, user.id, [] if user.all_dealers else data.dealers)
        dealers = sorted(set(data.dealers))
    user.updated_at, user.version = datetime.now(UTC), user.version + 1
    session.add(user)
    return public_user(user, dealers)


def public_user(user: StaffUser, dealers: list[str]) -> UserPublic:
    return UserPublic(id=user.id, username=user.username, display_name=user.display_name, roles=user.roles,
                      dealers=dealers, active=user.active, must_change_password=user.must_change_password,
                      created_at=user.created_at, version=user.version)


async def create_client(session: AsyncSession, data: ApiClientCreate) -> ApiClientCreated:
    errors = []
    if unknown := sorted(set(data.scope) - EVERY_PERMISSION):
        errors.append(field_error("body", "/scope", f"unknown permission(s): {', '.join(unknown)}"))
    if unknown := sorted(t for t in data.event_types if t != "*" and t not in REGISTRY):
        errors.append(field_error("body", "/event_types", f"unknown event type(s): {', '.join(unknown)}"))
    if ALL_DEALERS not in data.dealers and (missing := await repository.missing_dealers(session, data.dealers)):
        errors.append(field_error("body", "/dealers", f"unknown dealer(s): {', '.join(missing)}"))
    if errors:
        raise invalid(*errors)
    if await repository.client(session, data.client_id) is not None:
        raise Problem(409, "Conflict", f"The client id {data.client_id} is taken.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(client_id=data.client_id, name=data.name, secret_hash=await hash_secret(secret),
                       scope=sorted(set(data.scope)), dealers=sorted(set(data.dealers)),
                       event_types=sorted(set(data.event_types)), contact_email=data.contact_email)
    session.add(client)
    return ApiClientCreated(**client.model_dump(exclude={"secret_hash"}), client_secret=secret)


async def visible_client(session: AsyncSession, principal: Principal, client_id: str, lock: bool = False
                         ) -> ApiClient:
    """As the list shows them: a dealer administrator sees a client limited to its own dealers."""
    client = await repository.client(session, client_id, lock=lock)
    scope = principal.dealer_filter()
    if client is None or (scope is not None and not (client.dealers and set(client.dealers) <= scope)):
        raise not_found("API client")
    return client


async def update_client(session: AsyncSession, principal: Principal, client_id: str, data: ApiClientUpdate,
                        if_match: str | None) -> ApiClient:
    client = await visible_client(session, principal, client_id, lock=True)
    network_only(principal)
    check_if_match(if_match, client.version)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field != "contact_email":
            raise invalid(field_error("body", f"/{field}", "must not be null"))
        setattr(client, field, value)
    client.version += 1
    session.add(client)
    return client


async def rotate_secret(session: AsyncSession, principal: Principal, client_id: str) -> ApiClientSecretRotated:
    """The old secret stops working with this transaction; tokens it already got live out their short life."""
    client = await visible_client(session, principal, client_id, lock=True)
    network_only(principal)
    secret = secrets.token_urlsafe(32)
    client.secret_hash, client.version = await hash_secret(secret), client.version + 1
    session.add(client)
    return ApiClientSecretRotated(**client.model_dump(exclude={"secret_hash"}), client_secret=secret)
