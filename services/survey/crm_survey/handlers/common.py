"""What several use cases share: a dealer's rules and templates, and staging our events."""

import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit import outbox
from crm_survey.domain.defaults import shipped_definitions, shipped_template_id
from crm_survey.domain.templates import TemplateDefinition
from crm_survey.domain.triggers import SurveyRules
from crm_survey.models.tables import TemplateVersion
from crm_survey.repository import templates

SERVICE = "survey"
DEFAULT_RULES = SurveyRules()
RULE_FIELDS = tuple(asdict(DEFAULT_RULES))


async def rules_for(session: AsyncSession, dealer_id: str) -> SurveyRules:
    saved = await templates.dealer_settings(session, dealer_id)
    if saved is None:
        return DEFAULT_RULES
    return SurveyRules(**{name: getattr(saved, name) for name in RULE_FIELDS})


async def template_for(session: AsyncSession, dealer_id: str, kind: str,
                       shipped_missing: bool = False) -> TemplateVersion:
    """The dealer's chosen template for this kind, else the shipped one: its newest published version."""
    saved = await templates.dealer_settings(session, dealer_id)
    chosen = getattr(saved, f"{kind}_template_id", None) if saved else None
    for template_id in (chosen, shipped_template_id(kind)):
        if template_id is not None:
            version = await templates.latest_version(session, template_id, published=True)
            if version is not None:
                return version
    if not shipped_missing:
        await ship_defaults(session)  # an event that arrives before the start-up shipping finished
        return await template_for(session, dealer_id, kind, shipped_missing=True)
    raise LookupError(f"no published {kind} template")


SHIPPED_NAMES = {"ssi": "SSI (J.D. Power China factors)", "csi": "CSI (J.D. Power China factors)",
                 "follow_up": "Complaint follow-up"}


def stored(definition: TemplateDefinition) -> dict:
    return definition.model_dump(mode="json", by_alias=True, exclude_none=True)


async def ship_defaults(session: AsyncSession) -> None:
    now = datetime.now(UTC)
    await templates.ship(session, [
        dict(template_id=shipped_template_id(kind), version=1, dealer_id=None, kind=kind, name=SHIPPED_NAMES[kind],
             status="published", definition=stored(definition), created_by="shipped", created_at=now,
             published_at=now)
        for kind, definition in shipped_definitions().items()])


def definition_of(version: TemplateVersion) -> TemplateDefinition:
    return TemplateDefinition.model_validate(version.definition)


def new_token() -> str:
    """192 random bits, URL-safe: the only key to a questionnaire, so it must not be guessable."""
    return secrets.token_urlsafe(24)


def link_path(token: str) -> str:
    return f"/s/{token}"


# What a use case calls to say what happened: staged with its change, subject the customer
stage_event = partial(outbox.stage_event, service=SERVICE)
