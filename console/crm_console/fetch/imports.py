"""The import screens: send a file, follow its job (customer service) and its scoring (segmentation)."""

import asyncio

from crm_console.fetch import Section, section, skipped
from crm_console.gateway import Gateway
from crm_console.session import Viewer
from crm_contracts import permissions as p

RECENT = 20
REPORT_PAGE = 500
REPORT_PAGES = 20  # 10,000 refused lines: a file worse than that needs fixing at its source, not line by line


async def start(gateway: Gateway, viewer: Viewer, kind: str, content: bytes, content_type: str) -> dict:
    return await gateway.upload("/api/v1/imports", viewer.token, content, content_type, kind=kind,
                                dealer_id=viewer.dealer)


async def recent(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get("/api/v1/imports", viewer.token, dealer_id=viewer.dealer, limit=RECENT),
                         empty={"items": []})


async def progress(gateway: Gateway, viewer: Viewer, job_id: str) -> tuple[dict, Section]:
    """The job (a 404 propagates: not the viewer's) and segmentation's view of it, asked only once it is done."""
    job = await gateway.get(f"/api/v1/imports/{job_id}", viewer.token)
    if not viewer.can(p.PROFILES_READ):
        return job, skipped()
    if job["status"] != "done":
        return job, Section()
    return job, await section(gateway.get(f"/api/v1/scoring/imports/{job_id}", viewer.token))


async def failed_rows(gateway: Gateway, viewer: Viewer, job_id: str) -> list[dict]:
    rows: list[dict] = []
    cursor = None
    for _ in range(REPORT_PAGES):
        page = await gateway.get(f"/api/v1/imports/{job_id}/report", viewer.token, failed_only="true",
                                 limit=REPORT_PAGE, cursor=cursor)
        rows += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return rows


async def job_and_report(gateway: Gateway, viewer: Viewer, job_id: str) -> tuple[dict, Section, list[dict]]:
    (job, scoring), rows = await asyncio.gather(progress(gateway, viewer, job_id),
                                                failed_rows(gateway, viewer, job_id))
    return job, scoring, rows
