"""Background loops every survey replica runs: invitations falling due are sent, unanswered ones expire,
and the open hot alerts are counted for the alert rule. Each step is one short transaction."""

from fastapi import FastAPI

from crm_kit.loops import repeat
from crm_kit.shared_limits import Reconciler
from crm_survey.handlers import delivery


async def _in_transaction(app: FastAPI, name: str, step, every: float | None = None) -> None:
    async def once() -> bool:
        async with app.state.sessions() as session, session.begin():
            return bool(await step(session))

    await repeat(name, once, every or app.state.settings.scheduler_poll_seconds)


async def send_invitations(app: FastAPI) -> None:
    await _in_transaction(app, "sending due invitations", delivery.send_due)


async def expire_invitations(app: FastAPI) -> None:
    await _in_transaction(app, "expiring invitations", delivery.expire_due)


async def watch_open_alerts(app: FastAPI) -> None:
    await _in_transaction(app, "counting open hot alerts", delivery.count_open_alerts, every=15)


async def shared_rate_limits(app: FastAPI) -> None:
    """The public page's limits, pooled with the other replicas' (crm_kit.shared_limits)."""
    limits = app.state.public_limits
    await Reconciler(app.state.sessions, [limits.per_token, limits.per_address],
                     interval=app.state.settings.public_limit_sync_seconds).run()
