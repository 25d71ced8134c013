"""Staff routes: invitations, responses, hot alerts, phone follow-ups (回访) and dealer settings."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.problems import not_found
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag
from crm_survey.handlers import answers, setup
from crm_survey.handlers.common import link_path
from crm_survey.models.api import (
    DealerSettingsBody,
    DealerSettingsPublic,
    HotAlertPublic,
    InvitationPublic,
    InvitationStatus,
    PhoneFollowUp,
    ResponsePublic,
)
from crm_survey.models.tables import Invitation
from crm_survey.repository import invitations, responses

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])

Kind = Annotated[str | None, Query(pattern="^(ssi|csi|nps|follow_up)$")]


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    return position_after(cursor, datetime.fromisoformat, uuid.UUID)


def invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(
        {**invitation.model_dump(), "link_path": link_path(invitation.token)})


@router.get("/invitations", response_model=Page[InvitationPublic])
async def list_invitations(session: SessionDep, customer_id: uuid.UUID | None = None,
                           status: InvitationStatus | None = None, kind: Kind = None, limit: Limit = 50,
                           cursor: Cursor = None,
                           principal: Principal = require(permissions.SURVEYS_READ)) -> Page[InvitationPublic]:
    rows = await invitations.page(session, principal.dealer_filter(), customer_id=customer_id, status=status,
                                  kind=kind, after=_after(cursor), limit=limit)
    return page_of([invitation_public(row) for row in rows], limit, lambda i: (i.created_at.isoformat(), i.id))


@router.get("/invitations/{invitation_id}", response_model=InvitationPublic)
async def get_invitation(invitation_id: uuid.UUID, session: SessionDep,
                         principal: Principal = require(permissions.SURVEYS_READ)) -> InvitationPublic:
    invitation = await invitations.get(session, invitation_id)
    if invitation is None:
        raise not_found("invitation")
    check_dealer(principal, invitation.dealer_id, "invitation")
    return invitation_public(invitation)


@router.post("/invitations/{invitation_id}/phone-follow-up", status_code=201, response_model=ResponsePublic,
             responses=problems(409, s409="The survey was suppressed: it was not to be sent"),
             summary="Record a customer's answers given on a follow-up call (回访); a second call returns the first")
async def record_phone_follow_up(invitation_id: uuid.UUID, data: PhoneFollowUp, session: SessionDep,
                                 response: Response, idempotency_key: IdempotencyKey = None,
                                 principal: Principal = require(permissions.SURVEYS_MANAGE)) -> ResponsePublic:
    stored, created = await answers.answer_by_phone(session, invitation_id, data.answers, principal.subject,
                                                    principal.dealer_filter(), idempotency_key)
    if not created:
        response.status_code = 200
    return ResponsePublic.model_validate(stored, from_attributes=True)


@router.get("/responses", response_model=Page[ResponsePublic])
async def list_responses(session: SessionDep, customer_id: uuid.UUID | None = None, kind: Kind = None,
                         channel: Annotated[str | None, Query(pattern="^(web|phone)$")] = None,
                         limit: Limit = 50, cursor: Cursor = None,
                         principal: Principal = require(permissions.SURVEYS_READ)) -> Page[ResponsePublic]:
    rows = await responses.page(session, principal.dealer_filter(), customer_id=customer_id, kind=kind,
                                channel=channel, after=_after(cursor), limit=limit)
    shown = [ResponsePublic.model_validate(row, from_attributes=True) for row in rows]
    return page_of(shown, limit, lambda r: (r.recorded_at.isoformat(), r.id))


@router.get("/responses/{response_id}", response_model=ResponsePublic)
async def get_response(response_id: uuid.UUID, session: SessionDep,
                       principal: Principal = require(permissions.SURVEYS_READ)) -> ResponsePublic:
    found = await responses.get(session, response_id)
    if found is None:
        raise not_found("response")
    check_dealer(principal, found.dealer_id, "response")
    return ResponsePublic.model_validate(found, from_attributes=True)


@router.get("/alerts", response_model=Page[HotAlertPublic])
async def list_hot_alerts(session: SessionDep,
                          status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
                          limit: Limit = 50, cursor: Cursor = None,
                          principal: Principal = require(permissions.SURVEYS_READ)) -> Page[HotAlertPublic]:
    rows = await responses.alerts_page(session, principal.dealer_filter(), status=status, after=_after(cursor),
                                       limit=limit)
    shown = [HotAlertPublic.model_validate(row, from_attributes=True) for row in rows]
    return page_of(shown, limit, lambda a: (a.raised_at.isoformat(), a.id))


@router.get("/settings/{dealer_id}", response_model=DealerSettingsPublic, responses=problems(404))
async def get_dealer_settings(dealer_id: str, session: SessionDep, response: Response,
                              principal: Principal = require(permissions.SURVEYS_READ)) -> DealerSettingsPublic:
    """The ETag (and `version`) to send back when changing them; `"0"` while the defaults were never saved."""
    check_dealer(principal, dealer_id, "dealer")
    shown = await setup.dealer_settings(session, dealer_id)
    tag(response, shown.version)
    return shown


@router.put("/settings/{dealer_id}", response_model=DealerSettingsPublic, responses=problems(404, 412, 428))
async def put_dealer_settings(dealer_id: str, data: DealerSettingsBody, session: SessionDep, response: Response,
                              if_match: IfMatch = None,
                              principal: Principal = require(permissions.SURVEYS_MANAGE)) -> DealerSettingsPublic:
    """If-Match names the ETag GET showed: before the first save that is the defaults' `"0"`; `*` is taken too."""
    check_dealer(principal, dealer_id, "dealer")
    saved = await setup.save_dealer_settings(session, dealer_id, data, principal, if_match)
    tag(response, saved.version)
    return saved
