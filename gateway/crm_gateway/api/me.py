"""/api/v1/me: the signed-in staff user's own account, for the console's header and first sign-in."""

from fastapi import APIRouter, Request, Response

from crm_gateway.handlers import me as handlers
from crm_gateway.handlers.grants import Issuer
from crm_gateway.models import Me, PasswordChange
from crm_kit.auth import PrincipalDep
from crm_kit.db import SessionDep
from crm_kit.responses import problems

router = APIRouter(prefix="/api/v1/me", tags=["me"])


@router.get("", response_model=Me, summary="Who is signed in: name, roles, dealers, permissions",
            description="`must_change_password` is true while the user still has a temporary password.")
async def me(session: SessionDep, principal: PrincipalDep) -> Me:
    async with session.begin():
        return await handlers.me(session, principal)


@router.post("/password", status_code=204, summary="Change one's own password", responses=problems(429),
             description="`{current_password, new_password}`. The new one: at least 12 characters, two kinds "
                         "of character, not the username, not the current one. Ends `must_change_password`. "
                         "Wrong current passwords are throttled like failed sign-ins (429 + Retry-After).")
async def change_password(request: Request, data: PasswordChange, session: SessionDep, principal: PrincipalDep
                          ) -> Response:
    issuer = Issuer(request.app.state.settings, request.app.state.keyring)
    async with session.begin():
        await handlers.change_password(session, request.app.state.sessions, issuer, principal, data,
                                       request.client.host if request.client else "unknown")
    return Response(status_code=204)
