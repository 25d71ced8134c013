"""The signed-in user's own account: who they are, and changing their own password."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.permissions import ALL_DEALERS
from crm_gateway.domain.password_policy import password_problems
from crm_gateway.domain.roles import permissions_of
from crm_gateway.handlers.grants import Issuer, record_failure, throttled
from crm_gateway.handlers.passwords import hash_secret, verify_secret
from crm_gateway.models import Me, PasswordChange, StaffUser
from crm_gateway.repository import identity as repository
from crm_kit.auth import Principal
from crm_kit.problems import Problem, field_error, invalid


async def _user(session: AsyncSession, principal: Principal, lock: bool = False) -> StaffUser:
    # A partner's client token has no account of its own to show or change.
    user = None if principal.is_client else await repository.user_by_name(session, principal.subject)
    if user is None or not user.active:
        raise Problem(403, "Forbidden", "Only a signed-in staff user has an account here.")
    return await repository.user(session, user.id, lock=True) if lock else user


async def me(session: AsyncSession, principal: Principal) -> Me:
    user = await _user(session, principal)
    dealers = [ALL_DEALERS] if user.all_dealers else (await repository.memberships(session, [user.id]))[user.id]
    names = await repository.dealer_names(session, dealers)
    return Me(username=user.username, display_name=user.display_name, roles=sorted(user.roles),
              permissions=permissions_of(user.roles), dealers=dealers, dealer_names=names,
              must_change_password=user.must_change_password)


async def change_password(session: AsyncSession, sessions, issuer: Issuer, principal: Principal,
                          data: PasswordChange, address: str) -> None:
    """Checks the current password (a stolen access token alone cannot take over the account), with the
    sign-in's throttling: wrong current passwords count as failed sign-ins of the same account from the
    same address."""
    user = await _user(session, principal, lock=True)
    now, account = datetime.now(UTC), "user:" + user.username
    await throttled(session, issuer, account, address, now)
    if not await verify_secret(user.password_hash, data.current_password):
        await record_failure(sessions, account, address, now)
        raise invalid(field_error("body", "/current_password", "is not the current password"))
    await repository.clear_failures(session, account, address)
    if problems := password_problems(data.new_password, username=user.username, current=data.current_password):
        raise invalid(*(field_error("body", "/new_password", problem) for problem in problems),
                      detail="The new password does not meet the password policy.")
    user.password_hash = await hash_secret(data.new_password)
    user.must_change_password = False
    user.updated_at = datetime.now(UTC)
    session.add(user)
