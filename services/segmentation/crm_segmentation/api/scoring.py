"""/api/v1/scoring: rescore jobs on demand, and each dealer's thresholds and scoring parameters."""

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import SQLModel

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_segmentation.handlers import imports
from crm_segmentation.handlers import scoring as handlers
from crm_segmentation.models import ScoringJob
from crm_segmentation.models.scoring import ImportScoring, ScoringJobRequest, ScoringSettingsBody
from crm_segmentation.repository import scoring as repository

router = APIRouter(prefix="/api/v1/scoring", tags=["scoring"])


class DealerScoring(SQLModel):
    dealer_id: str
    settings: ScoringSettingsBody
    updated_at: datetime | None
    fitted_at: datetime | None
    fit: dict[str, Any] | None  # cut points, means, ABC thresholds, BG/NBD and Gamma-Gamma parameters


@router.post("/jobs", status_code=202, response_model=ScoringJob)
async def request_rescore(data: ScoringJobRequest, session: SessionDep, response: Response,
                          principal: Principal = require(permissions.SCORING_RUN)) -> ScoringJob:
    """Queue a full rescore of the dealer; a job already waiting for it is answered instead."""
    if not principal.sees(data.dealer_id):
        raise Problem(403, "Forbidden", "You cannot rescore this dealer.")
    async with session.begin():
        job = await handlers.request(session, data.dealer_id, "manual", principal.subject)
    response.headers["Location"] = f"{router.prefix}/jobs/{job.id}"
    return job


@router.get("/jobs/{job_id}", response_model=ScoringJob)
async def get_job(job_id: uuid.UUID, session: SessionDep,
                  principal: Principal = require(permissions.PROFILES_READ)) -> ScoringJob:
    job = await handlers.get_job(session, job_id)
    if job is None:
        raise not_found("scoring job")
    check_dealer(principal, job.dealer_id, "scoring job")
    return job


@router.get("/imports/{import_job_id}", response_model=ImportScoring)
async def import_scoring(import_job_id: uuid.UUID, session: SessionDep,
                         principal: Principal = require(permissions.PROFILES_READ)) -> ImportScoring:
    """Where a customer-service import is here: `applying` its events, `scoring` (the rescore it queued
    once all of them were applied), `done`, `failed`, or `unchanged` (it staged no events: nothing to
    rescore). 404 until segmentation has applied any of it."""
    return await imports.import_scoring(session, principal, import_job_id)


@router.get("/settings/{dealer_id}", response_model=DealerScoring)
async def get_settings(dealer_id: str, session: SessionDep,
                       principal: Principal = require(permissions.PROFILES_READ)) -> DealerScoring:
    check_dealer(principal, dealer_id, "dealer")
    stored = await repository.get_settings(session, dealer_id)
    fit = await repository.get_fit(session, dealer_id)
    return DealerScoring(dealer_id=dealer_id, settings=ScoringSettingsBody.model_validate(
        stored.settings if stored else {}), updated_at=stored.updated_at if stored else None,
        fitted_at=fit.fitted_at if fit else None, fit=fit.fit if fit else None)


@router.put("/settings/{dealer_id}", response_model=DealerScoring)
async def put_settings(dealer_id: str, data: ScoringSettingsBody, session: SessionDep,
                       principal: Principal = require(permissions.SCORING_RUN)) -> DealerScoring:
    """Replace the dealer's settings; a rescore is queued so statuses follow the new thresholds."""
    errors = data.ordering_errors()
    if errors:
        raise invalid(*(field_error("body", field, detail) for field, detail in errors))
    check_dealer(principal, dealer_id, "dealer")
    async with session.begin():
        await repository.save_settings(session, dealer_id, data.model_dump(), principal.subject)
        await handlers.request(session, dealer_id, "settings", principal.subject)
    return await get_settings(dealer_id, session, principal)
