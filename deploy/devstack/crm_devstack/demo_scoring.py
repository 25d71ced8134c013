"""Waiting, with a progress line, until segmentation has scored the demo dealer's import.

Segmentation rescores a dealer by itself once it has applied a whole import, and says where it is with each
import (`GET /api/v1/scoring/imports/{id}`: applying, scoring, done). Customers still unscored after that
(a dealer loaded before this existed) get a rescore asked for by hand (`POST /api/v1/scoring/jobs`).
"""

import time

from crm_devstack.demo_api import DEMO_DEALER, PROGRESS_EVERY, SCORING_TIMEOUT, DemoClient

FINISHED = ("done", "failed", "unchanged")


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
    landed = [job for job in imports if job.get("events")]
    try:
        if landed:
            _wait_for_imports(api, progress, [job["id"] for job in landed])
        known, missing = unscored(api)
        if missing:  # e.g. a dealer loaded before imports were scored when they land
            print(f"  ({missing} of {known} customers unscored after the imports: asking for a rescore)", flush=True)
            job = _rescore_when_read(api, progress, expected=0)
            if job["status"] != "done":
                print(f"  WARNING: segmentation could not score {DEMO_DEALER}: {job.get('error')}", flush=True)
                return
    except TimeoutError as error:  # the suite still runs: say plainly what is missing, and go on
        print(f"  WARNING: {error}; customers show `unscored` until it does (see the segmentation log)", flush=True)
        return
    known, missing = unscored(api)
    print(f"  {DEMO_DEALER} scored: {known - missing} of {known} customers have a value type "
          f"({progress.elapsed():.0f} s)", flush=True)


def _import_scoring(api: DemoClient, import_id: str) -> dict | None:
    """Where segmentation is with one import; None until it has applied any of its events."""
    reply = api.client.get(f"/api/v1/scoring/imports/{import_id}", headers=api.headers)
    if reply.status_code == 404:
        return None
    return reply.raise_for_status().json()


def _wait_for_imports(api: DemoClient, progress: Progress, import_ids: list[str]) -> None:
    """Until segmentation has applied every event of each import and the rescore it queued is finished."""
    for import_id in import_ids:
        while True:
            state = _import_scoring(api, import_id)
            if state and state["status"] in FINISHED:
                if state["status"] == "failed":
                    print(f"  WARNING: the rescore after import {import_id} failed", flush=True)
                break
            progress.say(_reading(api) or (f"import {state['status']}, {state['events_applied']} events applied"
                                           if state else "waiting for the import's first events"))
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
