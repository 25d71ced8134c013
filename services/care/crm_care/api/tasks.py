"""/api/v1/care/tasks: the staff queue per dealer and role."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from crm_care import repository
from crm_care.api.common import PREFIX, as_dict, visible, write_dealer
from crm_care.handlers import work
from crm_care.handlers.common import create_task
from crm_care.models import tasks
from crm_contracts import permissions
from crm_contracts.events.care import TaskOutcome
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, decode_cursor, page_of
from crm_kit.problems import Problem

router = APIRouter(prefix=f"{PREFIX}/tasks", tags=["care tasks"])
Priority = Literal["low", "normal", "high", "urgent"]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str | None = None
    kind: Literal["call", "visit", "gift"]
    role: str = Field("cr_activity", min_length=1, max_length=40)
    priority: Priority = "normal"
    due_at: datetime
    notes: str | None = Field(None, max_length=2000)


class TaskAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=100)


class TaskComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: TaskOutcome
    notes: str | None = Field(None, max_length=2000)


async def _task(session, principal: Principal, task_id: uuid.UUID) -> sa.Row:
    return visible(principal, await repository.one(session, sa.select(tasks).where(tasks.c.id == task_id)), "task")


@router.get("")
async def list_tasks(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                     dealer_id: str | None = None, role: str | None = None,
                     status: Literal["open", "done", "cancelled"] | None = "open", assignee: str | None = None,
                     customer_id: uuid.UUID | None = None, overdue: Annotated[bool, Query()] = False,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[dict]:
    query = repository.scoped(sa.select(tasks), tasks, principal.dealer_filter())
    for column, value in ((tasks.c.dealer_id, dealer_id), (tasks.c.role, role), (tasks.c.status, status),
                          (tasks.c.assignee, assignee), (tasks.c.customer_id, customer_id)):
        if value is not None:
            query = query.where(column == value)
    if overdue:
        query = query.where(tasks.c.sla_at < sa.func.now())
    if cursor:
        due, last_id = decode_cursor(cursor, 2)
        query = query.where(sa.tuple_(tasks.c.due_at, tasks.c.id) > (datetime.fromisoformat(due), uuid.UUID(last_id)))
    async with session.begin():
        found = [as_dict(row) for row in await repository.rows(
            session, query.order_by(tasks.c.due_at, tasks.c.id).limit(limit + 1))]
    return page_of(found, limit, lambda t: (t["due_at"].isoformat(), t["id"]))


@router.post("", status_code=201)
async def create(data: TaskCreate, session: SessionDep,
                 principal: Principal = require(permissions.CARE_WORK)) -> dict:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        task_id = await create_task(session, dealer_id=dealer, customer_id=data.customer_id, kind=data.kind,
                                    role=data.role, reason="manual", priority=data.priority, due_at=data.due_at,
                                    vehicle_id=data.vehicle_id, notes=data.notes)
        return as_dict(await _task(session, principal, task_id))


@router.post("/{task_id}/assign")
async def assign(task_id: uuid.UUID, data: TaskAssign, session: SessionDep,
                 principal: Principal = require(permissions.CARE_WORK)) -> dict:
    async with session.begin():
        await _task(session, principal, task_id)
        await repository.update(session, tasks, tasks.c.id == task_id, assignee=data.assignee)
        return as_dict(await _task(session, principal, task_id))


@router.post("/{task_id}/complete")
async def complete(task_id: uuid.UUID, data: TaskComplete, session: SessionDep,
                   principal: Principal = require(permissions.CARE_WORK)) -> dict:
    async with session.begin():
        task = await _task(session, principal, task_id)
        if task.status != "open":
            raise Problem(409, "Conflict", f"The task is {task.status} already.")
        await work.complete_task(session, task, data.outcome, data.notes)
        return as_dict(await _task(session, principal, task_id))
