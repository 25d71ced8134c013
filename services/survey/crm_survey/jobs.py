"""Background loops every survey replica runs: invitations falling due are sent, unanswered ones expire,
answers' increments are folded into the monthly sums, and the open hot alerts are counted for the alert rule.
Each step is one short transaction."""

from fastapi import FastAPI

from crm_kit.loops import repeat
from crm_kit.shared_limits import Reconciler
from crm_survey.handlers import delivery
from crm_survey.repository import rollups

# A quiet service looks ever less often, up to this many poll intervals apart (16 s at the default 1 s poll):
# invitations fall due hours or days after a visit, and analytics add unfolded increments themselves, so a
# few seconds' lateness costs nothing while waking every second for nothing costs CPU all day.
QUIET_POLLS = 16


async def _in_transaction(app: FastAPI, name: str, step, every: float | None = None,
                          quiet_polls: int | None = QUIET_POLLS) -> None:
    async def once() -> bool:
        async with app.state.sessions() as session, session.begin():
            return bool(await step(session))

    idle = every or app.state.settings.scheduler_poll_seconds
    await repeat(name, once, idle, idle_cap=idle * quiet_polls if quiet_polls else None)


async def send_invitations(app: FastAPI) -> None:
    await _in_transaction(app, "sending due invitations", delivery.send_due)


async def expire_invitations(app: FastAPI) -> None:
    await _in_transaction(app, "expiring invitations", delivery.expire_due)


async def fold_rollups(app: FastAPI) -> None:
    await _in_transaction(app, "folding answers into the monthly sums", rollups.fold)


async def watch_open_alerts(app: FastAPI) -> None:
    # The gauge feeds an alert rule scraped on its own clock: a steady 15 s, no back-off.
    await _in_transaction(app, "counting open hot alerts", delivery.count_open_alerts, every=15, quiet_polls=None)


async def shared_rate_limits(app: FastAPI) -> None:
    """The public page's limits, pooled with the other replicas' (crm_kit.shared_limits)."""
    limits = app.state.public_limits
    await Reconciler(app.state.sessions, [limits.per_token, limits.per_address],
                     interval=app.state.settings.public_limit_sync_seconds).run()
