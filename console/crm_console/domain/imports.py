"""Where an upload is, as the person who sent it sees it: importing, scoring (segmentation), done.

The customer service reports the job (receiving → queued → running → done, or aborted); segmentation then
applies its events and rescores the dealer. A viewer who may not read profiles sees "done" when the rows
are handled, since the scoring step is not theirs to follow.
"""

import csv
import io
from collections.abc import Callable

FORMATS = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson",
           ".json": "application/x-ndjson"}
KINDS = ("customers", "vehicles", "visits")
FINISHED = frozenset({"done", "scoring_failed", "aborted"})


def content_type_of(filename: str | None) -> str | None:
    """By the file's ending: browsers send CSV under several types (Excel's included), so the name decides."""
    name = (filename or "").lower()
    return next((kind for ending, kind in FORMATS.items() if name.endswith(ending)), None)


def phase(job: dict, scoring: dict | None, follows_scoring: bool) -> str:
    """importing | scoring | done | scoring_failed | aborted."""
    if job["status"] == "aborted":
        return "aborted"
    if job["status"] != "done":
        return "importing"
    if not follows_scoring:
        return "done"
    status = (scoring or {}).get("status")
    if status in ("done", "unchanged"):
        return "done"
    if status == "failed":
        return "scoring_failed"
    return "scoring"  # not seen by segmentation yet, still applying its events, or the rescore is running


def handled_share(job: dict) -> float:
    return job["processed"] / job["total_rows"] if job["total_rows"] else (1.0 if job["status"] == "done" else 0.0)


def report_rows(rows: list[dict], field_label: Callable[[str], str]) -> list[tuple[int, str, str]]:
    """One (line, field, error) per refused field; a row refused as a whole names no field."""
    found = []
    for row in rows:
        for error in row.get("errors") or [{}]:
            field = error.get("field") or (error.get("pointer") or "").lstrip("/") or error.get("name") or ""
            found.append((row["line"], field_label(field) if field else "—", error.get("detail") or ""))
    return found


def report_csv(headers: list[str], rows: list[tuple[int, str, str]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel on a Chinese Windows reads the headers as UTF-8 only with it
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()
