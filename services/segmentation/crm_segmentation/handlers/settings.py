"""A dealer's thresholds and scoring parameters, changed by its manager with the ETag last read."""

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.problems import field_error, invalid
from crm_kit.versioning import UNSTORED, check_if_match, precondition_failed
from crm_segmentation.handlers import scoring
from crm_segmentation.models.scoring import ScoringSettingsBody
from crm_segmentation.repository import scoring as repository


async def save_settings(session: AsyncSession, dealer_id: str, data: ScoringSettingsBody, by: str,
                        if_match: str | None) -> None:
    """Replaces the settings and queues a rescore, so statuses follow the new thresholds. Before the first
    save the defaults are version 0: If-Match `"0"` (or `*`) saves them."""
    errors = data.ordering_errors()
    if errors:
        raise invalid(*(field_error("body", field, detail) for field, detail in errors))
    stored = await repository.get_settings(session, dealer_id, lock=True)
    read_version = stored.version if stored else UNSTORED
    check_if_match(if_match, read_version)
    if await repository.save_settings(session, dealer_id, data.model_dump(), by, read_version) is None:
        raise precondition_failed(read_version + 1)  # another first save won the race
    await scoring.request(session, dealer_id, "settings", by)
