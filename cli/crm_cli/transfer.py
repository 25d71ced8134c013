"""`crm import` and `crm export`: bulk files through the customer service's import jobs and exports."""

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from crm_cli.session import problem_text

CONTENT_TYPES = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson"}
FINISHED = {"done", "failed"}


class TransferError(Exception):
    pass


def content_type(path: Path) -> str:
    try:
        return CONTENT_TYPES[path.suffix.lower()]
    except KeyError:
        raise TransferError(f"{path.name}: use a .csv, .ndjson or .jsonl file (one record per line)") from None


def start_import(client: httpx.Client, path: Path, kind: str, dealer: str | None) -> dict:
    params = {"kind": kind, **({"dealer_id": dealer} if dealer else {})}
    with path.open("rb") as body:
        response = client.post("/api/v1/imports", params=params, content=body,
                               headers={"Content-Type": content_type(path)})
    if response.status_code != 202:
        raise TransferError(f"the import was refused ({response.status_code}): {problem_text(response)}")
    return response.json()


def follow(client: httpx.Client, job: dict, progress: Callable[[dict], None], poll_seconds: float = 0.5,
           timeout: float = 3600) -> dict:
    """Poll the job until it is finished, reporting each state seen."""
    deadline = time.monotonic() + timeout
    progress(job)
    while job["status"] not in FINISHED:
        if time.monotonic() > deadline:
            raise TransferError(f"import {job['id']} still {job['status']} after {timeout:.0f}s")
        time.sleep(poll_seconds)
        response = client.get(f"/api/v1/imports/{job['id']}")
        response.raise_for_status()
        job = response.json()
        progress(job)
    return job


SCORED = {"done", "failed", "unchanged"}


def follow_scoring(client: httpx.Client, job_id: str, progress: Callable[[dict], None], poll_seconds: float = 0.5,
                   timeout: float = 600) -> dict | None:
    """Poll segmentation's view of the import (applying its events, scoring, done) until it is scored;
    None if segmentation has not finished within `timeout` (the last state seen was reported)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/api/v1/scoring/imports/{job_id}")
        if response.status_code == 404:  # segmentation has applied none of the import's events yet
            state = {"status": "applying", "events_applied": 0, "events_expected": None}
        elif response.status_code != 200:
            raise TransferError(f"cannot follow the scoring ({response.status_code}): {problem_text(response)}")
        else:
            state = response.json()
        progress(state)
        if state["status"] in SCORED:
            return state
        time.sleep(poll_seconds)
    return None


def failed_rows(client: httpx.Client, job_id: str, limit: int = 20) -> list[dict]:
    response = client.get(f"/api/v1/imports/{job_id}/report", params={"failed_only": "true", "limit": limit})
    return response.json().get("items", []) if response.status_code == 200 else []


def export(client: httpx.Client, file_format: str, dealer: str | None, write: Callable[[bytes], None]) -> int:
    params = {"format": file_format, **({"dealer_id": dealer} if dealer else {})}
    lines = 0
    with client.stream("GET", "/api/v1/exports/customers", params=params) as response:
        if response.status_code != 200:
            response.read()
            raise TransferError(f"the export was refused ({response.status_code}): {problem_text(response)}")
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
            write(chunk)
    return lines
