"""Template routes: a published version is immutable; a change makes a new draft version."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.problems import not_found
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag
from crm_survey.handlers import setup
from crm_survey.models.api import TemplateChange, TemplateCreate, TemplatePublic
from crm_survey.models.tables import TemplateVersion
from crm_survey.repository import templates

VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="1, 2, … in publishing order")]

router = APIRouter(prefix="/api/v1/surveys/templates", tags=["survey templates"])


def shown(version: TemplateVersion) -> TemplatePublic:
    return TemplatePublic.model_validate(version, from_attributes=True)


def _visible(principal: Principal, version: TemplateVersion | None) -> TemplateVersion:
    if version is None or (version.dealer_id is not None and not principal.sees(version.dealer_id)):
        raise not_found("template")
    return version


@router.get("", response_model=list[TemplatePublic], summary="The newest version of every template you can use")
async def list_templates(session: SessionDep, kind: str | None = None,
                         principal: Principal = require(permissions.SURVEYS_READ)) -> list[TemplatePublic]:
    return [shown(v) for v in await templates.list_latest(session, principal.dealer_filter(), kind)]


@router.post("", status_code=201, response_model=TemplatePublic, summary="A new template, as draft version 1")
async def create_template(data: TemplateCreate, session: SessionDep, response: Response,
                          idempotency_key: IdempotencyKey = None,
                          principal: Principal = require(permissions.SURVEYS_MANAGE)) -> TemplatePublic:
    version = await setup.create_template(session, data, principal, idempotency_key)
    response.headers["Location"] = f"{router.prefix}/{version.template_id}/versions/{version.version}"
    tag(response, version.revision)
    return shown(version)


@router.get("/{template_id}", response_model=TemplatePublic, responses=problems(404),
            summary="The newest version of a template, with the ETag a change must name")
async def get_template(template_id: uuid.UUID, session: SessionDep, response: Response,
                       principal: Principal = require(permissions.SURVEYS_READ)) -> TemplatePublic:
    latest = _visible(principal, await templates.latest_version(session, template_id))
    tag(response, latest.revision)
    return shown(latest)


@router.get("/{template_id}/versions", response_model=list[TemplatePublic], responses=problems(404))
async def list_versions(template_id: uuid.UUID, session: SessionDep,
                        principal: Principal = require(permissions.SURVEYS_READ)) -> list[TemplatePublic]:
    found = await templates.versions(session, template_id)
    _visible(principal, found[0] if found else None)
    return [shown(v) for v in found]


@router.get("/{template_id}/versions/{version}", response_model=TemplatePublic, responses=problems(404))
async def get_version(template_id: uuid.UUID, version: VersionPath, session: SessionDep, response: Response,
                      principal: Principal = require(permissions.SURVEYS_READ)) -> TemplatePublic:
    """Its ETag is the template's while it is the newest version; an older one's is stale for a change."""
    found = _visible(principal, await templates.get_version(session, template_id, version))
    tag(response, found.revision)
    return shown(found)


@router.put("/{template_id}", response_model=TemplatePublic, responses=problems(404, 412, 428),
            summary="Change a template: edits the draft, or makes a new draft when the newest is published")
async def change_template(template_id: uuid.UUID, data: TemplateChange, session: SessionDep, response: Response,
                          if_match: IfMatch = None,
                          principal: Principal = require(permissions.SURVEYS_MANAGE)) -> TemplatePublic:
    """If-Match names the template's ETag (its newest version's `revision`) from your last read."""
    changed = await setup.change_template(session, template_id, data, principal, if_match)
    tag(response, changed.revision)
    return shown(changed)


@router.post("/{template_id}/versions/{version}/publish", response_model=TemplatePublic, responses=problems(404))
async def publish_version(template_id: uuid.UUID, version: VersionPath, session: SessionDep, response: Response,
                          principal: Principal = require(permissions.SURVEYS_MANAGE)) -> TemplatePublic:
    published = await setup.publish_template(session, template_id, version, principal)
    tag(response, published.revision)
    return shown(published)
