"""Templates (versioned; a published version is immutable) and each dealer's survey settings."""

import contextlib
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.auth import Principal, check_dealer
from crm_kit.idempotency import first_answer
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_kit.versioning import UNSTORED, check_if_match
from crm_survey.domain.templates import TemplateDefinition, definition_errors
from crm_survey.handlers.common import DEFAULT_RULES, RULE_FIELDS, ship_defaults, stored
from crm_survey.models.api import DealerSettingsBody, DealerSettingsPublic, TemplateChange, TemplateCreate
from crm_survey.models.tables import DealerSurveySettings, TemplateVersion
from crm_survey.repository import templates


@contextlib.asynccontextmanager
async def shipped_templates(app: FastAPI):
    """A lifespan resource: the shipped templates are listed from the first request on."""
    async with app.state.sessions() as session, session.begin():
        await ship_defaults(session)
    yield


def _check_definition(definition: TemplateDefinition) -> None:
    errors = definition_errors(definition)
    if errors:
        raise invalid(*(field_error("body", f"/definition{pointer}", detail) for pointer, detail in errors))


def _may_write(principal: Principal, version: TemplateVersion) -> None:
    if version.dealer_id is None:
        if not principal.all_dealers:
            raise Problem(403, "Forbidden", "Network templates are changed by the carmaker only.")
    else:
        check_dealer(principal, version.dealer_id, "template")


async def create_template(session: AsyncSession, data: TemplateCreate, principal: Principal,
                          idempotency_key: str | None = None) -> TemplateVersion:
    """A keyed retry answers the template the first request created. Network templates' keys are the carmaker's
    (no dealer)."""
    _check_definition(data.definition)
    if data.dealer_id is None and not principal.all_dealers:
        raise invalid(field_error("body", "dealer_id", "required: only the carmaker makes network templates"))
    if data.dealer_id is not None and not principal.sees(data.dealer_id):
        raise Problem(403, "Forbidden", "You cannot write to this dealer.",
                      errors=[field_error("body", "dealer_id", "not one of your dealers")])
    async with session.begin():
        version = TemplateVersion(
            template_id=uuid.uuid4(), version=1, dealer_id=data.dealer_id, kind=data.definition.kind,
            name=data.name, status="draft", definition=stored(data.definition), created_by=principal.subject,
            created_at=datetime.now(UTC))
        earlier = await first_answer(session, idempotency_key, data.dealer_id or "", "POST /templates",
                                     data.model_dump(mode="json", exclude_unset=True), version.template_id)
        if earlier:
            first = await templates.get_version(session, uuid.UUID(earlier.resource_id), 1)
            if first is None:
                raise not_found("template")
            return first
        templates.add_version(session, version)
    return version


async def change_template(session: AsyncSession, template_id: uuid.UUID, data: TemplateChange,
                          principal: Principal, if_match: str | None) -> TemplateVersion:
    """A draft is edited in place; a published version is never touched: the change becomes a new draft."""
    _check_definition(data.definition)
    async with session.begin():
        latest = await templates.latest_version(session, template_id, for_update=True)
        if latest is None:
            raise not_found("template")
        _may_write(principal, latest)
        check_if_match(if_match, latest.revision)
        if data.definition.kind != latest.kind:
            raise invalid(field_error("body", "/definition/kind", f"this template is a {latest.kind} template"))
        if latest.status == "draft":
            latest.definition, latest.name = stored(data.definition), data.name or latest.name
            latest.created_at, latest.created_by = datetime.now(UTC), principal.subject
            latest.revision += 1
            return latest
        version = TemplateVersion(
            template_id=template_id, version=latest.version + 1, dealer_id=latest.dealer_id, kind=latest.kind,
            name=data.name or latest.name, status="draft", definition=stored(data.definition),
            created_by=principal.subject, created_at=datetime.now(UTC), revision=latest.revision + 1)
        templates.add_version(session, version)
    return version


async def publish_template(session: AsyncSession, template_id: uuid.UUID, version_number: int,
                           principal: Principal) -> TemplateVersion:
    async with session.begin():
        version = await templates.get_version(session, template_id, version_number)
        if version is None:
            raise not_found("template version")
        _may_write(principal, version)
        if version.status == "draft":
            version.status, version.published_at = "published", datetime.now(UTC)
            version.revision += 1
    return version


async def dealer_settings(session: AsyncSession, dealer_id: str) -> DealerSettingsPublic:
    """Version 0 (the defaults) until the first save."""
    saved = await templates.dealer_settings(session, dealer_id)
    if saved is None:
        return DealerSettingsPublic(dealer_id=dealer_id, **{name: getattr(DEFAULT_RULES, name) for name in RULE_FIELDS})
    return DealerSettingsPublic.model_validate(saved, from_attributes=True)


async def save_dealer_settings(session: AsyncSession, dealer_id: str, data: DealerSettingsBody,
                               principal: Principal, if_match: str | None) -> DealerSettingsPublic:
    """If-Match names the ETag GET showed: `"0"` (or `*`) before the first save."""
    async with session.begin():
        current = await templates.dealer_settings(session, dealer_id, lock=True)
        read_version = current.version if current else UNSTORED
        errors = []
        for kind in ("ssi", "csi", "follow_up"):
            template_id = getattr(data, f"{kind}_template_id")
            if template_id is None:
                continue
            version = await templates.latest_version(session, template_id, published=True)
            if version is None or (version.dealer_id not in (None, dealer_id)):
                errors.append(field_error("body", f"{kind}_template_id", "no published template with this id"))
            elif version.kind != kind:
                errors.append(field_error("body", f"{kind}_template_id", f"a {version.kind} template, not {kind}"))
        if errors:
            raise invalid(*errors)
        check_if_match(if_match, read_version)
        saved = await templates.save_dealer_settings(session, DealerSurveySettings(
            dealer_id=dealer_id, **data.model_dump(), updated_at=datetime.now(UTC), updated_by=principal.subject,
            version=read_version + 1))
        return DealerSettingsPublic.model_validate(saved, from_attributes=True)
