"""/api/v1/dealers: the dealers the caller may see, so a network user's console can offer them as a choice.

Administration (/api/v1/admin/dealers) needs `admin`; a carmaker analyst reads figures across the network
and must be able to name the dealers it reads them for, without being an administrator.
"""

from fastapi import APIRouter

from crm_gateway.models import DealerPublic
from crm_gateway.repository import identity as repository
from crm_kit.auth import PrincipalDep
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.responses import problems

router = APIRouter(prefix="/api/v1/dealers", tags=["dealers"])


@router.get("", response_model=Page[DealerPublic], responses=problems(400, 401),
            summary="The dealers the caller may see, by id",
            description="A network user (dealers `*`) gets every dealer; anyone else the dealers they work for. "
                        "Cursor-paged: pass `next_cursor` back as `cursor` until it is null. 400: a cursor that "
                        "is not one of ours; 401: no or an expired token.")
async def visible_dealers(session: SessionDep, principal: PrincipalDep, limit: Limit = 50,
                          cursor: Cursor = None) -> Page[DealerPublic]:
    after = position_after(cursor, str)[0] if cursor else None
    async with session.begin():
        found = await repository.dealers(session, principal.dealer_filter(), limit, after)
    page = page_of(found, limit, lambda d: (d.id,))
    return Page(items=[DealerPublic.model_validate(d) for d in page.items], next_cursor=page.next_cursor)
