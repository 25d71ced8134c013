"""Analytics routes: a dealer's (or advisor's) figures and weaknesses; the carmaker's dealer ranking."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.problems import field_error, invalid
from crm_kit.responses import problems
from crm_survey.domain.triggers import DEALER_TIME
from crm_survey.handlers import analytics
from crm_survey.models.analytics import DealerOverview, DealerWeaknesses, NetworkRanking

router = APIRouter(prefix="/api/v1/surveys/analytics", tags=["survey analytics"])

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
From = Annotated[str | None, Query(alias="from", pattern=MONTH, description="First month, YYYY-MM")]
To = Annotated[str | None, Query(alias="to", pattern=MONTH, description="Last month, YYYY-MM (included)")]
Kind = Annotated[str, Query(pattern="^(ssi|csi|follow_up)$")]


def period(first: str | None, last: str | None) -> tuple[date, date]:
    """Whole months, both ends included; by default the twelve months up to this one."""
    this_month = datetime.now(UTC).astimezone(DEALER_TIME).date().replace(day=1)
    end = date.fromisoformat(last + "-01") if last else this_month
    start = date.fromisoformat(first + "-01") if first else _months_before(end, 11)
    if start > end:
        raise invalid(field_error("query", "from", "must not be after `to`"))
    return start, end


def _months_before(month: date, count: int) -> date:
    serial = month.year * 12 + month.month - 1 - count
    return date(serial // 12, serial % 12 + 1, 1)


@router.get("/dealers/{dealer_id}", responses=problems(404),
            summary="Index, factor scores, NPS, C ratio, response rate, trend, advisors")
async def dealer_overview(dealer_id: str, session: SessionDep, kind: Kind = "csi",
                          first: From = None,
                          last: To = None, advisor_id: str | None = None,
                          principal: Principal = require(permissions.SURVEYS_READ)) -> DealerOverview:
    check_dealer(principal, dealer_id, "dealer")
    return DealerOverview.model_validate(
        await analytics.dealer_overview(session, dealer_id, kind, *period(first, last), advisor_id))


@router.get("/dealers/{dealer_id}/weaknesses", responses=problems(404),
            summary="CS弱项查找: the factors and questions pulling the index down most against the network")
async def dealer_weaknesses(dealer_id: str, session: SessionDep, kind: Kind = "csi",
                            first: From = None,
                            last: To = None, advisor_id: str | None = None,
                            principal: Principal = require(permissions.SURVEYS_READ)) -> DealerWeaknesses:
    check_dealer(principal, dealer_id, "dealer")
    return DealerWeaknesses.model_validate(
        await analytics.weaknesses(session, dealer_id, kind, *period(first, last), advisor_id))


@router.get("/network", summary="The carmaker's view: dealers ranked by index")
async def network_ranking(session: SessionDep, kind: Kind = "csi",
                          first: From = None,
                          last: To = None,
                          principal: Principal = require(permissions.NETWORK_READ)) -> NetworkRanking:
    return NetworkRanking.model_validate(
        await analytics.network_ranking(session, kind, *period(first, last), principal.dealer_filter()))
