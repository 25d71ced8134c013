"""Sending one message: contact policy, contact details, template, channel; retries and dead letters.

A message is claimed with FOR UPDATE SKIP LOCKED and its row stays locked while the channel is
called, so two replicas never send it twice; a crash after the provider accepted it but before the
commit sends it again (at least once), which providers' message ids let support trace.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.channels.directory import Contact, ContactUnavailable, CustomerDirectory
from crm_care.channels.senders import DeliveryFailed, EmailSender, SmsSender, WechatSender
from crm_care.domain import policy
from crm_care.domain.templates import Template, TemplateInvalid, default_template, render
from crm_care.metrics import MESSAGES
from crm_care.repository import scheduling
from crm_kit.db import Sessions


@dataclass
class Channels:
    directory: CustomerDirectory
    email: EmailSender
    sms: SmsSender
    wechat: WechatSender
    max_attempts: int = 6
    retry_base_seconds: float = 30
    public_base_url: str = ""


async def send_next(sessions: Sessions, channels: Channels, now: datetime) -> bool:
    """Send (or settle) one queued message that is due; False when none is."""
    async with sessions() as session, session.begin():
        claimed = await repository.claim_queued_messages(session, now, 1)
        if not claimed:
            return False
        message = claimed[0]
        changes = await _deliver(session, channels, message, now)
        await scheduling.settle_message(session, message.id, **changes)
        if changes.get("status") == "sent":
            await scheduling.count_contact(session, message, now)
    outcome = changes.get("status", "deferred")  # no status: quiet hours, or a retry later
    MESSAGES.labels(message.dealer_id, changes.get("channel") or message.channel or "none", outcome).inc()
    return True


def _blocked(reason: str) -> dict:
    return {"status": "blocked", "block_reason": reason}


async def _deliver(session: AsyncSession, channels: Channels, message: sa.Row, now: datetime) -> dict:
    customer = await repository.get_customer(session, message.customer_id)
    expires = message.variables.get("expires_at")
    if expires and datetime.fromisoformat(expires) < now:
        return _blocked("expired")
    consented = await repository.consented_channels(session, message.customer_id, message.purpose)
    rules = await repository.contact_rules(session, message.dealer_id)
    recent = await repository.recent_contacts(session, message.customer_id, repository.since(now, rules.cap_days))
    decision = policy.decide(now=now, consented=bool(consented), critical=message.critical, recent_contacts=recent,
                             rules=rules, erased=customer is not None and customer.erased_at is not None)
    if decision.reason == "quiet_hours":
        return {"next_attempt_at": decision.not_before, "block_reason": "quiet_hours"}
    if not decision.allowed:
        return _blocked(decision.reason)
    try:
        contact = await channels.directory.contact(message.customer_id)
    except ContactUnavailable as error:
        return _retry(channels, message, now, str(error))
    if contact is None:
        return _blocked("unknown_customer")
    channel = policy.choose_channel(consented, contact.reachable())
    if channel is None:
        return _blocked("no_consented_channel")
    language = message.variables.get("language") or (customer.language if customer else contact.language)
    template = await _template(session, message, channel, language)
    variables = {**message.variables, "name": contact.name}
    if variables.get("link", "").startswith("/"):
        variables["link"] = channels.public_base_url.rstrip("/") + variables["link"]
    try:
        subject, body = render(template.subject, variables), render(template.body, variables)
    except TemplateInvalid as error:
        return {"status": "dead", "last_error": f"template: {error}", "channel": channel}
    try:
        provider_id = await _hand_over(channels, channel, contact, template, subject, body, variables)
    except DeliveryFailed as error:
        return {**_retry(channels, message, now, str(error)), "channel": channel}
    return {"status": "sent", "channel": channel, "subject": subject, "body": body, "provider_id": provider_id,
            "sent_at": now, "attempts": message.attempts + 1, "block_reason": None, "last_error": None}


def _retry(channels: Channels, message: sa.Row, now: datetime, error: str) -> dict:
    attempts = message.attempts + 1
    if attempts >= channels.max_attempts:
        return {"status": "dead", "attempts": attempts, "last_error": error[:2000]}
    return {"attempts": attempts, "last_error": error[:2000],
            "next_attempt_at": now + policy.retry_delay(attempts, channels.retry_base_seconds)}


async def _template(session: AsyncSession, message: sa.Row, channel: str, language: str) -> Template:
    row = await repository.dealer_template(session, message.dealer_id, message.rule, channel, language)
    if row is None:
        return default_template(message.rule, channel, language)
    return Template(row.purpose, row.channel, row.language, row.subject, row.body, row.provider_template)


async def _hand_over(channels: Channels, channel: str, contact: Contact, template: Template, subject: str,
                     body: str, variables: dict) -> str:
    if channel == "email":
        return await channels.email.send(contact.email, subject, body)
    provider_variables = {key: str(value) for key, value in variables.items()
                          if key in ("name", "due_on", "days_left", "festival_name", "years", "link")}
    if channel == "sms":
        return await channels.sms.send(contact.mobile, template.provider_template or "", provider_variables)
    return await channels.wechat.send(contact.wechat_openid, template.provider_template or "", provider_variables,
                                      variables.get("link"))
