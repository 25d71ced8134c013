"""The survey screen: the dealer's index, NPS and trend, its weaknesses, the open hot alerts, the ranking."""

import asyncio

from crm_console.domain import surveys as shape
from crm_console.fetch import Section, section, skipped
from crm_console.gateway import Gateway, Refused
from crm_console.session import Viewer
from crm_contracts import permissions as p


async def surveys(gateway: Gateway, viewer: Viewer, kind: str) -> dict[str, Section]:
    dealer = viewer.dealer
    ranking = (section(gateway.get("/api/v1/surveys/analytics/network", viewer.token, kind=kind))
               if viewer.can(p.NETWORK_READ) else _skipped())
    if dealer is None:  # a network user without a dealer sees the ranking only
        return {"overview": skipped(), "weaknesses": skipped(), "alerts": skipped(empty={"items": []}),
                "ranking": await ranking, "cases": skipped(empty=[])}
    overview, weaknesses, alerts, ranked = await asyncio.gather(
        section(gateway.get(f"/api/v1/surveys/analytics/dealers/{dealer}", viewer.token, kind=kind)),
        section(gateway.get(f"/api/v1/surveys/analytics/dealers/{dealer}/weaknesses", viewer.token, kind=kind)),
        section(gateway.get("/api/v1/surveys/alerts", viewer.token, status="open", limit="50"),
                empty={"items": []}),
        ranking)
    cases = await alert_cases(gateway, viewer, (alerts.value or {"items": []})["items"])
    return {"overview": overview, "weaknesses": weaknesses, "alerts": alerts, "ranking": ranked, "cases": cases}


async def alert_cases(gateway: Gateway, viewer: Viewer, alerts: list[dict]) -> Section:
    """Care's cases of the alerts' customers (care has no lookup by alert): which alert already has its case."""
    if not viewer.can(p.CARE_READ):
        return skipped(empty=[])
    customers = sorted({alert["customer_id"] for alert in alerts})
    pages = await asyncio.gather(*(section(gateway.get("/api/v1/care/cases", viewer.token, customer_id=customer),
                                           empty={"items": []}) for customer in customers))
    if any(page.unavailable for page in pages):
        return Section([], unavailable=True)
    return Section([case for page in pages for case in page.value["items"]])


async def open_alert_case(gateway: Gateway, viewer: Viewer, alert_id: str) -> dict | None:
    """The case for one open alert: the one it has, else a new one (the alert id as Idempotency-Key makes a
    second click or a retried post answer the first case). None: no such open alert for this viewer."""
    listed = await gateway.get("/api/v1/surveys/alerts", viewer.token, status="open", limit="200")
    alert = next((a for a in listed["items"] if a["id"] == alert_id), None)
    if alert is None:
        return None
    cases = (await alert_cases(gateway, viewer, [alert])).value or []
    if (case_id := shape.cases_by_alert([alert], cases).get(alert_id)) is not None:
        return {"id": case_id}
    try:
        return await gateway.post("/api/v1/care/cases", viewer.token,
                                  {"customer_id": alert["customer_id"], "dealer_id": alert["dealer_id"],
                                   "summary": shape.case_summary(alert), "alert_id": alert_id},
                                  idempotency_key=f"hot-alert-{alert_id}")
    except Refused as refused:  # care opens one case per alert: a colleague's (or the survey's) comes back
        if refused.status == 409 and refused.problem.get("case_id"):
            return {"id": refused.problem["case_id"]}
        raise


async def _skipped() -> Section:
    return skipped()


async def follow_up_candidates(gateway: Gateway, viewer: Viewer) -> Section:
    """Invitations a call can still answer: sent but unanswered, or expired (the API takes a call after expiry)."""
    sent, expired = await asyncio.gather(
        section(gateway.get("/api/v1/surveys/invitations", viewer.token, status="sent", limit="50"),
                empty={"items": []}),
        section(gateway.get("/api/v1/surveys/invitations", viewer.token, status="expired", limit="50"),
                empty={"items": []}))
    if not sent.shown or not expired.shown:
        return Section({"items": []}, unavailable=True)
    return Section({"items": sent.value["items"] + expired.value["items"]})


async def invitation_with_template(gateway: Gateway, viewer: Viewer, invitation_id: str) -> tuple[dict, dict]:
    """The invitation and the template version it was sent with: the questions the caller reads out."""
    invitation = await gateway.get(f"/api/v1/surveys/invitations/{invitation_id}", viewer.token)
    template = await gateway.get(f"/api/v1/surveys/templates/{invitation['template_id']}/versions/"
                                 f"{invitation['template_version']}", viewer.token)
    return invitation, template


async def record_phone_follow_up(gateway: Gateway, viewer: Viewer, invitation_id: str, answers: dict) -> dict:
    return await gateway.post(f"/api/v1/surveys/invitations/{invitation_id}/phone-follow-up", viewer.token,
                              {"answers": answers})


async def templates(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get("/api/v1/surveys/templates", viewer.token), empty=[])


async def template_versions(gateway: Gateway, viewer: Viewer, template_id: str) -> list[dict]:
    """Every version, oldest first as the API lists them; the last is the one an edit starts from."""
    return await gateway.get(f"/api/v1/surveys/templates/{template_id}/versions", viewer.token)


async def save_and_publish(gateway: Gateway, viewer: Viewer, template_id: str, definition: dict,
                           started_from: dict) -> dict:
    """The change as the draft (a new draft version when the newest is published), then that version published;
    only onto `started_from`, the newest version the editor checked (412 Refused when a colleague saved since)."""
    draft = await gateway.put(f"/api/v1/surveys/templates/{template_id}", viewer.token, {"definition": definition},
                              if_match=f'"{started_from["revision"]}"')
    return await gateway.post(f"/api/v1/surveys/templates/{template_id}/versions/{draft['version']}/publish",
                              viewer.token, {})
