"""/api/v1/care/notifications: the signed-in user's own notifications and their choice of channel."""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Response

from crm_care.api.common import BAD_CURSOR, FORBIDDEN, NOT_FOUND, PREFIX, after_time_id, page, write_dealer
from crm_care.handlers import notifications as handlers
from crm_care.models.notifications import (
    MarkedRead,
    NotificationPublic,
    NotificationSettingsPublic,
    NotificationSettingsPut,
    UnreadCount,
)
from crm_care.repository import notifications as store
from crm_kit.auth import StaffDep
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page
from crm_kit.problems import not_found
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag

router = APIRouter(prefix=f"{PREFIX}/notifications", tags=["staff notifications"])


@router.get("", responses=BAD_CURSOR)
async def list_notifications(session: SessionDep, principal: StaffDep, unread: bool = False,
                             limit: Limit = 50, cursor: Cursor = None) -> Page[NotificationPublic]:
    """Yours only, newest first."""
    before = after_time_id(cursor)
    async with session.begin():
        found = await store.inbox_page(session, principal.subject, unread=unread, before=before, limit=limit)
    return page(found, limit, NotificationPublic.model_validate, lambda n: (n.created_at.isoformat(), n.id))


@router.get("/unread-count")
async def unread_count(session: SessionDep, principal: StaffDep) -> UnreadCount:
    """What the console's badge shows."""
    async with session.begin():
        return UnreadCount(unread=await store.unread_count(session, principal.subject))


@router.get("/settings", responses=FORBIDDEN)
async def get_settings(session: SessionDep, principal: StaffDep, response: Response,
                       dealer_id: str | None = None) -> NotificationSettingsPublic:
    """Never saved: channel `none` and every kind, so the badge alone tells you; and the ETag a change
    names (`"0"`: never saved)."""
    dealer = write_dealer(principal, dealer_id, "query")
    async with session.begin():
        found = NotificationSettingsPublic.model_validate(
            await handlers.settings_for(session, principal.subject, dealer))
    tag(response, found.version)
    return found


@router.put("/settings", responses={**FORBIDDEN, **problems(412, 428)})
async def put_settings(data: NotificationSettingsPut, session: SessionDep, principal: StaffDep,
                       response: Response, if_match: IfMatch = None) -> NotificationSettingsPublic:
    """If-Match names the ETag GET showed: `"0"` (or `*`) while never saved; the answer carries the new one."""
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        saved = NotificationSettingsPublic.model_validate(
            await handlers.choose(session, principal.subject, dealer, data, if_match))
    tag(response, saved.version)
    return saved


@router.post("/read-all")
async def read_all(session: SessionDep, principal: StaffDep) -> MarkedRead:
    async with session.begin():
        return MarkedRead(marked=await store.mark_read(session, principal.subject, datetime.now(UTC)))


@router.post("/{notification_id}/read", responses=NOT_FOUND)
async def read_one(notification_id: uuid.UUID, session: SessionDep, principal: StaffDep) -> NotificationPublic:
    """Someone else's notification answers 404, as if it did not exist."""
    async with session.begin():
        await store.mark_read(session, principal.subject, datetime.now(UTC), notification_id)
        row = await store.owned(session, principal.subject, notification_id)
    if row is None:
        raise not_found("notification")
    return NotificationPublic.model_validate(row)
