"""/api/v1/care/tasks: the staff queue per dealer and role."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from crm_care.api.common import BAD_CURSOR, CONFLICT, FORBIDDEN, NOT_FOUND, PREFIX, after_time_id, page, write_dealer
from crm_care.handlers import tasks as handlers
from crm_care.models.tasks import TaskAssign, TaskComplete, TaskCreate, TaskPublic
from crm_care.repository import work
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page

router = APIRouter(prefix=f"{PREFIX}/tasks", tags=["care tasks"])


@router.get("", responses=BAD_CURSOR)
async def list_tasks(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                     dealer_id: str | None = None, role: str | None = None,
                     status: Literal["open", "done", "cancelled"] | None = "open", assignee: str | None = None,
                     customer_id: uuid.UUID | None = None,
                     overdue: Annotated[bool, Query(description="Only tasks past their SLA")] = False,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[TaskPublic]:
    """Due first. `assignee=<you>` is your own work, `role=<queue>` a role's queue."""
    after = after_time_id(cursor)
    filters = {"dealer_id": dealer_id, "role": role, "status": status, "assignee": assignee,
               "customer_id": customer_id}
    async with session.begin():
        found = await work.tasks_page(session, principal.dealer_filter(), filters=filters, overdue=overdue,
                                      after=after, limit=limit)
    return page(found, limit, TaskPublic.model_validate, lambda t: (t.due_at.isoformat(), t.id))


@router.get("/{task_id}", responses=NOT_FOUND)
async def get_task(task_id: uuid.UUID, session: SessionDep,
                   principal: Principal = require(permissions.CARE_READ)) -> TaskPublic:
    async with session.begin():
        return TaskPublic.model_validate(await handlers.visible_task(session, principal, task_id))


@router.post("", status_code=201, responses=FORBIDDEN)
async def create(data: TaskCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                 principal: Principal = require(permissions.CARE_WORK)) -> TaskPublic:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        return TaskPublic.model_validate(await handlers.create_by_hand(session, dealer, data, idempotency_key))


@router.post("/{task_id}/assign", responses=NOT_FOUND)
async def assign(task_id: uuid.UUID, data: TaskAssign, session: SessionDep,
                 principal: Principal = require(permissions.CARE_WORK)) -> TaskPublic:
    async with session.begin():
        return TaskPublic.model_validate(await handlers.assign(session, principal, task_id, data.assignee))


@router.post("/{task_id}/complete", responses={**NOT_FOUND, **CONFLICT})
async def complete(task_id: uuid.UUID, data: TaskComplete, session: SessionDep,
                   idempotency_key: IdempotencyKey = None,
                   principal: Principal = require(permissions.CARE_WORK)) -> TaskPublic:
    """Once: a task done or cancelled already answers 409, unless this is a retry under the same Idempotency-Key,
    which answers the task as the first completion left it."""
    async with session.begin():
        return TaskPublic.model_validate(await handlers.complete(session, principal, task_id, data,
                                                                 idempotency_key))
