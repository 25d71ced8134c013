"""Background loops every customer replica runs: the import worker."""

from fastapi import FastAPI

from crm_customer.handlers import imports
from crm_customer.settings import CustomerSettings
from crm_kit.loops import repeat


async def import_worker(app: FastAPI) -> None:
    """Works staged import rows off a batch at a time; replicas claim rows, so they share the work."""
    settings: CustomerSettings = app.state.settings

    async def step() -> bool:
        handled = await imports.process_next_batch(app.state.sessions, app.state.keyring, settings.import_batch_size)
        return bool(handled)

    await repeat("import worker", step, settings.import_poll_seconds)
