"""/api/v1/scoring: rescore jobs on demand, and each dealer's thresholds and scoring parameters."""

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import SQLModel

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.problems import Problem, not_found
from crm_kit.responses import problems
from crm_kit.versioning import UNSTORED, IfMatch, tag
from crm_segmentation.handlers import imports, settings
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
    version: int  # as the ETag says


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


@router.get("/settings/{dealer_id}", response_model=DealerScoring, responses=problems(404))
async def get_settings(dealer_id: str, session: SessionDep, response: Response,
                       principal: Principal = require(permissions.PROFILES_READ)) -> DealerScoring:
    """The ETag (and `version`) to send back when changing them; 0 while the defaults were never saved."""
    check_dealer(principal, dealer_id, "dealer")
    return await _shown(session, dealer_id, response)


@router.put("/settings/{dealer_id}", response_model=DealerScoring, responses=problems(404, 412, 428))
async def put_settings(dealer_id: str, data: ScoringSettingsBody, session: SessionDep, response: Response,
                       if_match: IfMatch = None,
                       principal: Principal = require(permissions.SCORING_RUN)) -> DealerScoring:
    """Replace the dealer's settings; a rescore is queued so statuses follow the new thresholds. If-Match
    names the ETag GET showed: before the first save that is the defaults' `"0"`, and `*` is taken too."""
    check_dealer(principal, dealer_id, "dealer")
    async with session.begin():
        await settings.save_settings(session, dealer_id, data, principal.subject, if_match)
    return await _shown(session, dealer_id, response)


async def _shown(session: SessionDep, dealer_id: str, response: Response) -> DealerScoring:
    stored = await repository.get_settings(session, dealer_id)
    fit = await repository.get_fit(session, dealer_id)
    version = stored.version if stored else UNSTORED
    tag(response, version)
    return DealerScoring(dealer_id=dealer_id, settings=ScoringSettingsBody.model_validate(
        stored.settings if stored else {}), updated_at=stored.updated_at if stored else None,
        fitted_at=fit.fitted_at if fit else None, fit=fit.fit if fit else None, version=version)
