"""What exists from the first start: the bootstrap administrator, the care service's client, the demo dealer."""

import logging

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import permissions
from crm_gateway.domain.roles import ROLES
from crm_gateway.handlers.passwords import hash_secret, verify_secret
from crm_gateway.models import ApiClient, StaffUser
from crm_gateway.repository import identity as repository
from crm_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

CARE_CLIENT_ID = "crm-care"
DEMO_DEALER_NAME = "Demo Toyota 4S store"
BOOTSTRAP_LOCK = 72_616_002


def demo_username(role: str) -> str:
    return "demo." + role.replace("_", "-")


async def ensure_user(session: AsyncSession, username: str, password: str, roles: list[str],
                      dealers: list[str] | None, temporary: bool = False) -> None:
    """Create the user, or bring its password and roles to what the settings say (None dealers: every dealer).

    A `temporary` password (the demo logins, known to everyone who reads the README) must be changed at the
    first sign-in in the console, and again whenever a restart puts it back."""
    user = await repository.user_by_name(session, username)
    if user is None:
        user = StaffUser(username=username, password_hash=await hash_secret(password), roles=roles,
                         all_dealers=dealers is None, must_change_password=temporary)
        session.add(user)
        await session.flush()
    else:
        if not await verify_secret(user.password_hash, password):
            user.password_hash = await hash_secret(password)
            user.must_change_password = temporary
        user.roles, user.all_dealers, user.active = roles, dealers is None, True
        session.add(user)
    if dealers is not None:
        await repository.set_memberships(session, user.id, dealers)


async def ensure_client(session: AsyncSession, client_id: str, name: str, secret: str, scope: list[str]) -> None:
    client = await repository.client(session, client_id)
    if client is None:
        client = ApiClient(client_id=client_id, name=name, secret_hash=await hash_secret(secret))
    elif not await verify_secret(client.secret_hash, secret):
        client.secret_hash = await hash_secret(secret)
    client.scope, client.dealers, client.active = scope, [permissions.ALL_DEALERS], True
    session.add(client)


async def bootstrap(session: AsyncSession, settings: GatewaySettings) -> None:
    # Replicas starting together take turns; the second finds everything in place.
    await session.exec(sa.text(f"SELECT pg_advisory_xact_lock({BOOTSTRAP_LOCK})"))
    await ensure_user(session, settings.bootstrap_admin_username, settings.bootstrap_admin_password,
                      ["system_admin"], None)
    await ensure_client(session, CARE_CLIENT_ID, "Care service (contact details at send time)",
                        settings.care_client_secret, [permissions.CUSTOMERS_READ, permissions.READ_PII])
    if settings.demo_dealer and settings.is_dev:
        await repository.ensure_dealer(session, settings.demo_dealer, DEMO_DEALER_NAME)
        for role in ROLES:
            dealers = None if role in ("carmaker_analyst", "system_admin") else [settings.demo_dealer]
            await ensure_user(session, demo_username(role), settings.demo_password, [role], dealers,
                              temporary=True)
        log.info("demo dealer %s ready with one user per role", settings.demo_dealer)
