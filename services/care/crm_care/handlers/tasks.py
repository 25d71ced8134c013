"""Staff tasks by hand: create, assign, complete (the rules of completing live in handlers.work)."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.handlers import work as work_handlers
from crm_care.handlers.common import create_task, visible
from crm_care.models.tasks import TaskComplete, TaskCreate
from crm_care.repository import work
from crm_kit.auth import Principal
from crm_kit.idempotency import first_answer
from crm_kit.problems import Problem, not_found


async def visible_task(session: AsyncSession, principal: Principal, task_id: uuid.UUID) -> sa.Row:
    return visible(principal, await work.task(session, task_id), "task")


async def create_by_hand(session: AsyncSession, dealer_id: str, data: TaskCreate,
                         idempotency_key: str | None = None) -> sa.Row:
    """A keyed retry answers the task the first request created."""
    task_id = uuid.uuid4()
    earlier = await first_answer(session, idempotency_key, dealer_id, "POST /tasks",
                                 data.model_dump(mode="json", exclude_unset=True), task_id)
    if earlier:
        task_id = uuid.UUID(earlier.resource_id)
    else:
        await create_task(session, dealer_id=dealer_id, customer_id=data.customer_id, kind=data.kind, role=data.role,
                          reason="manual", priority=data.priority, due_at=data.due_at, vehicle_id=data.vehicle_id,
                          notes=data.notes, task_id=task_id)
    if (task := await work.task(session, task_id)) is None:
        raise not_found("task")
    return task


async def assign(session: AsyncSession, principal: Principal, task_id: uuid.UUID, assignee: str) -> sa.Row:
    task = await visible_task(session, principal, task_id)
    await work.change_task(session, task_id, assignee=assignee)
    if task.case_id:  # whoever takes a complaint's call is the one the case is with
        await work.record_case_action(session, case_id=task.case_id, dealer_id=task.dealer_id, action="assigned",
                                      actor=principal.subject, at=datetime.now(UTC), note=assignee)
    return await work.task(session, task_id)


async def complete(session: AsyncSession, principal: Principal, task_id: uuid.UUID, data: TaskComplete,
                   idempotency_key: str | None = None) -> sa.Row:
    """A keyed retry of the completion answers the task as it is, where an unkeyed one is refused (409)."""
    task = await visible_task(session, principal, task_id)
    if await first_answer(session, idempotency_key, task.dealer_id, f"POST /tasks/{task_id}/complete",
                          data.model_dump(mode="json", exclude_unset=True), task_id):
        return await work.task(session, task_id)
    if task.status != "open":
        raise Problem(409, "Conflict", f"The task is {task.status} already.")
    await work_handlers.complete_task(session, task, data.outcome, data.notes)
    if task.case_id:
        case = await work.case(session, task.case_id)
        await work.record_case_action(session, case_id=case.id, dealer_id=case.dealer_id, action="contacted",
                                      actor=principal.subject, at=datetime.now(UTC), note=data.notes)
    return await work.task(session, task_id)
