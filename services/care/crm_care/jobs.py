"""Background loops every replica runs: the due-scan, the dispatcher, the sender and the SLA gauges."""

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from crm_care import repository
from crm_care.channels.directory import CustomerDirectory
from crm_care.channels.senders import EmailSender, SmsSender, WechatSender
from crm_care.channels.wecom import WecomSender
from crm_care.handlers import notifications, scheduler
from crm_care.handlers.sending import Channels, send_next
from crm_care.metrics import (
    ACTIONS_DISPATCHED,
    ACTIONS_DUE,
    ACTIONS_STORED,
    CASES_ESCALATED,
    LAST_SCAN,
    TASKS_OVERDUE,
)
from crm_care.settings import CareSettings
from crm_kit.loops import repeat


async def due_scan(app: FastAPI) -> None:
    settings: CareSettings = app.state.settings

    async def step() -> bool:
        now = datetime.now(UTC)
        result = await scheduler.scan(app.state.sessions, scheduler.local_today(now),
                                      grace_days=settings.scan_grace_days, batch_size=settings.scan_batch_size,
                                      workers=settings.scan_workers)
        ACTIONS_STORED.inc(result.stored)
        LAST_SCAN.set(now.timestamp())
        return False

    await repeat("due-scan", step, settings.scan_interval_seconds)


async def dispatcher(app: FastAPI) -> None:
    settings: CareSettings = app.state.settings

    async def step() -> bool:
        claimed = await scheduler.dispatch_due(app.state.sessions, datetime.now(UTC), settings.dispatch_batch_size)
        ACTIONS_DISPATCHED.inc(claimed)
        return claimed > 0

    await repeat("dispatcher", step, settings.dispatch_poll_seconds)


async def sender(app: FastAPI) -> None:
    settings: CareSettings = app.state.settings
    async with httpx.AsyncClient(timeout=10) as client:
        channels = build_channels(settings, client)

        async def step() -> bool:  # each message handled is counted in crm_care_messages_total
            return await send_next(app.state.sessions, channels, datetime.now(UTC))

        await repeat("sender", step, settings.send_poll_seconds)


def build_channels(settings: CareSettings, client: httpx.AsyncClient) -> Channels:
    return Channels(
        directory=CustomerDirectory(client, customer_url=settings.customer_url, token_url=settings.token_url,
                                    client_id=settings.client_id, client_secret=settings.client_secret,
                                    static_token=settings.customer_api_token),
        email=EmailSender(settings.smtp_url, settings.email_from),
        sms=SmsSender(client, settings.sms_url, settings.sms_access_key_id, settings.sms_access_key_secret,
                      settings.sms_sign_name),
        wechat=WechatSender(client, settings.wechat_url, settings.wechat_app_id, settings.wechat_app_secret),
        max_attempts=settings.send_max_attempts, retry_base_seconds=settings.send_retry_base_seconds,
        public_base_url=settings.public_base_url)


async def sla_watch(app: FastAPI) -> None:
    """Escalate complaint cases whose first contact is overdue; keep the SLA and backlog gauges current."""

    async def step() -> bool:
        now = datetime.now(UTC)
        async with app.state.sessions() as session, session.begin():
            escalated = await repository.escalate_uncontacted_cases(session, now)
            overdue = await repository.overdue_tasks(session, now)
            due = await repository.actions_due(session, now)
            await notifications.watch_sla(session, now)
        CASES_ESCALATED.inc(escalated)
        TASKS_OVERDUE.clear()
        for dealer_id, role, count in overdue:
            TASKS_OVERDUE.labels(dealer_id, role).set(count)
        ACTIONS_DUE.set(due)
        return False

    await repeat("sla-watch", step, app.state.settings.sla_poll_seconds)


async def notifier(app: FastAPI) -> None:
    """Staff messages (e-mail or WeChat Work) for the notifications their users chose to hear about."""
    settings: CareSettings = app.state.settings
    async with httpx.AsyncClient(timeout=10) as client:
        channels = notifications.StaffChannels(
            email=EmailSender(settings.smtp_url, settings.email_from),
            wecom=WecomSender(client, settings.wecom_url, settings.wecom_corp_id, settings.wecom_corp_secret,
                              settings.wecom_agent_id),
            console_base_url=settings.console_base_url, max_attempts=settings.send_max_attempts,
            retry_base_seconds=settings.send_retry_base_seconds)

        async def step() -> bool:
            return await notifications.send_next(app.state.sessions, channels, datetime.now(UTC))

        await repeat("notifier", step, settings.notify_poll_seconds)
