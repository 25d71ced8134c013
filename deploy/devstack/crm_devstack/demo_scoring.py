"""Waiting, with a progress line, until segmentation has scored the demo dealer's import.

Segmentation rescores a dealer by itself once it has applied a whole import, in a scoring job that names
the import (`GET /api/v1/scoring/jobs?import_job_id=`). Where that query is not served, the demo waits until
segmentation has read every event of the import and asks for a rescore itself (`POST /api/v1/scoring/jobs`).
"""

import time

from crm_devstack.demo_api import DEMO_DEALER, PROGRESS_EVERY, SCORING_TIMEOUT, DemoClient

FINISHED = ("done", "failed")
NO_JOB_GRACE = 20.0  # seconds after which a read import without a scoring job is rescored by hand


class Progress:
    """One line every few seconds while something takes long, so a wait is never silent."""

    def __init__(self, what: str):
        self.what, self.started, self.last = what, time.monotonic(), 0.0

    def say(self, status: str) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"  {self.what}: {status} ({now - self.started:.0f} s)", flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def unscored(api: DemoClient) -> tuple[int, int]:
    """(customers segmentation knows of the dealer, how many of them have no value type yet)."""
    counts = api._get("/api/v1/kpis/distributions", dealer_id=DEMO_DEALER)["value_type"]
    return sum(counts.values()), counts.get("unscored", 0)


def wait_until_scored(api: DemoClient, imports: list[dict]) -> None:
    progress = Progress(f"scoring {DEMO_DEALER}")
    changed = [job for job in imports if job["created"] or job["updated"]]
    if not changed:
        known, missing = unscored(api)
        if known and not missing:
            print(f"  {DEMO_DEALER} is scored already: nothing in the import was new", flush=True)
            return
    try:
        if _jobs_for(api, imports[-1]["id"]) is None:
            print("  (segmentation does not name imports in its scoring jobs: waiting until it has read the "
                  "import, then asking for a rescore)", flush=True)
            job = _rescore_when_read(api, progress, expected=imports[0]["total_rows"])
        else:
            job = _wait_for_import_jobs(api, progress, [job["id"] for job in changed or imports[-1:]])
    except TimeoutError as error:  # the suite still runs: say plainly what is missing, and go on
        print(f"  WARNING: {error}; customers show `unscored` until it does (see the segmentation log)", flush=True)
        return
    if job["status"] != "done":
        print(f"  WARNING: segmentation could not score {DEMO_DEALER}: {job.get('error')}", flush=True)
        return
    known, missing = unscored(api)
    print(f"  {DEMO_DEALER} scored: {known - missing} of {known} customers have a value type "
          f"({progress.elapsed():.0f} s)", flush=True)


def _jobs_for(api: DemoClient, import_id: str) -> list[dict] | None:
    """Segmentation's scoring jobs that name this import; None when it cannot answer that question."""
    reply = api.client.get("/api/v1/scoring/jobs", headers=api.headers,
                           params={"import_job_id": import_id, "dealer_id": DEMO_DEALER})
    if reply.status_code in (404, 405):
        return None
    reply.raise_for_status()
    body = reply.json()
    return body["items"] if isinstance(body, dict) else body


def _wait_for_import_jobs(api: DemoClient, progress: Progress, import_ids: list[str]) -> dict:
    """Until the job naming the last import is finished and none naming the others waits. Segmentation
    answers a request with a job already queued for the dealer, so the last import may have no job of its
    own: once segmentation has read everything for a while and nothing is pending, the demo rescores."""
    read_since = None
    while True:
        named = {import_id: sorted(_jobs_for(api, import_id) or [], key=lambda job: job.get("requested_at") or "")
                 for import_id in import_ids}
        pending = [job for jobs in named.values() for job in jobs if job["status"] not in FINISHED]
        last = named[import_ids[-1]]
        if last and not pending:
            return last[-1]
        lag = _lag(api)
        read_since = (read_since or time.monotonic()) if lag == 0 else None
        if not pending and read_since and time.monotonic() - read_since > NO_JOB_GRACE:
            print("  (segmentation has read the import but named no scoring job after its last part: asking "
                  "for a rescore)", flush=True)
            return _rescore_when_read(api, progress, expected=0)
        progress.say(_reading(api) or ", ".join(f"job {job['status']}" for job in pending) or "waiting for a job")
        _give_up_after(progress)
        time.sleep(1)


def _rescore_when_read(api: DemoClient, progress: Progress, expected: int) -> dict:
    caught_up = 0
    while caught_up < 2:  # twice in a row: the import's last events may still be on their way to the broker
        lag = _lag(api)
        known, _ = unscored(api)
        caught_up = caught_up + 1 if (lag in (None, 0) and known >= expected) else 0
        if caught_up < 2:
            progress.say(_reading(api) or f"segmentation knows {known} of {expected} customers")
            _give_up_after(progress)
            time.sleep(1)
    job = api.client.post("/api/v1/scoring/jobs", headers=api.headers,
                          json={"dealer_id": DEMO_DEALER}).raise_for_status().json()
    while job["status"] not in FINISHED:
        progress.say(f"rescore {job['status']}")
        _give_up_after(progress)
        time.sleep(1)
        job = api._get(f"/api/v1/scoring/jobs/{job['id']}")
    return job


def _lag(api: DemoClient) -> int | None:
    return api.lag("segmentation")


def _reading(api: DemoClient) -> str | None:
    lag = _lag(api)
    return f"segmentation has {lag} events still to read" if lag else None


def _give_up_after(progress: Progress) -> None:
    if progress.elapsed() > SCORING_TIMEOUT:
        raise TimeoutError(f"segmentation did not score {DEMO_DEALER} within {SCORING_TIMEOUT:.0f} s")
