"""What every use case needs besides the session: the dealer's policy and fit, and today's date."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Payload
from crm_kit.outbox import service_event, stage
from crm_segmentation.domain.retention import Thresholds
from crm_segmentation.domain.scoring import DealerFit, Policy
from crm_segmentation.handlers.imports import Landing
from crm_segmentation.models import Segment
from crm_segmentation.models.scoring import ScoringSettingsBody
from crm_segmentation.repository import scoring as scoring_repository
from crm_segmentation.repository import segments as segment_repository

SERVICE = "segmentation"
THRESHOLD_FIELDS = set(Thresholds.__dataclass_fields__)
POLICY_FIELDS = set(Policy.__dataclass_fields__)


@dataclass
class Clock:
    """Dealers count days in their own time zone (a visit at 07:00 in Shanghai is that day's)."""

    timezone: str = "Asia/Shanghai"

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()


@dataclass
class DealerRules:
    thresholds: Thresholds
    policy: Policy
    fit: DealerFit | None


@dataclass
class Pending:
    """What this transaction's events wrote, stored together before anything reads it (`events.store_facts`):
    a few statements per batch instead of one or two per event. Later events' fields win, as they would
    have had each been written at once."""

    profiles: dict[uuid.UUID, str] = field(default_factory=dict)  # started if missing: customer -> dealer
    profile_fields: dict[uuid.UUID, dict] = field(default_factory=dict)
    vehicles: dict[uuid.UUID, dict] = field(default_factory=dict)  # started if missing
    vehicle_fields: dict[uuid.UUID, dict] = field(default_factory=dict)  # inserted or updated
    visits: list[dict] = field(default_factory=list)
    readings: list[dict] = field(default_factory=list)

    def set_profile(self, customer_id: uuid.UUID, **fields) -> None:
        self.profile_fields.setdefault(customer_id, {}).update(fields)

    def set_vehicle(self, vehicle_id: uuid.UUID, **fields) -> None:
        self.vehicle_fields.setdefault(vehicle_id, {}).update(fields)


@dataclass
class Context:
    """Lives for one transaction (a batch of events, a single event or a dealer's rescore), so what it
    caches is never older than the transaction: a new fit or segment is seen by the next one."""

    clock: Clock
    fit_sample: int = 50_000
    touched: dict[uuid.UUID, None] = field(default_factory=dict)  # customers to refresh, in first-touched order
    pending: "Pending" = field(default_factory=lambda: Pending())
    landing: Landing = field(default_factory=Landing)  # import events applied and completions seen
    importing: bool = False  # the event being handled came with an import (see `touch`)
    _rules: dict[str, DealerRules] = field(default_factory=dict)
    _segments: dict[str, list[Segment]] = field(default_factory=dict)

    def touch(self, customer_id: uuid.UUID) -> None:
        """Refresh this customer before commit, unless the event came with an import: an import's customers
        are refreshed all together by the rescore it queues once it has landed (`handlers.imports`), not one
        by one as its events arrive (a visits file in date order touches a different customer per row)."""
        if not self.importing:
            self.touched[customer_id] = None

    async def rules(self, session: AsyncSession, dealer_id: str) -> DealerRules:
        if dealer_id not in self._rules:
            self._rules[dealer_id] = await load_rules(session, dealer_id, self.fit_sample)
        return self._rules[dealer_id]

    async def dynamic_segments(self, session: AsyncSession, dealer_id: str) -> list[Segment]:
        if dealer_id not in self._segments:
            self._segments[dealer_id] = await segment_repository.dynamic_segments(session, dealer_id)
        return self._segments[dealer_id]


async def load_rules(session: AsyncSession, dealer_id: str, fit_sample: int = 50_000) -> DealerRules:
    stored = await scoring_repository.get_settings(session, dealer_id)
    body = ScoringSettingsBody.model_validate(stored.settings if stored else {}).model_dump()
    fit_row = await scoring_repository.get_fit(session, dealer_id)
    return DealerRules(
        thresholds=Thresholds(**{k: v for k, v in body.items() if k in THRESHOLD_FIELDS}),
        policy=Policy(**{k: v for k, v in body.items() if k in POLICY_FIELDS}, fit_sample=fit_sample),
        fit=DealerFit.from_json(fit_row.fit) if fit_row else None)


OUTGOING = "crm_segmentation.outgoing"


async def stage_event(session: AsyncSession, payload: Payload, customer_id, dealer_id: str) -> None:
    """Stage the event in the caller's transaction (while `segments.batched` runs, collected and staged
    with the others in one COPY at its end)."""
    event = service_event(payload, customer_id, dealer_id, service=SERVICE)
    collected = session.info.get(OUTGOING)
    if collected is None:
        await stage(session, event)
    else:
        collected.append(event)
