"""Reading an import file as it streams in: NDJSON or CSV, one record per line, never the whole file at once."""

import csv
import json
from collections.abc import AsyncIterator
from typing import Any

from crm_kit.problem_texts import Invalid

FORMATS = {"application/x-ndjson": "ndjson", "application/jsonl": "ndjson", "application/json-lines": "ndjson",
           "text/csv": "csv"}
LIST_SEPARATOR = "|"  # a CSV cell holding a list (tags, other mobiles) separates its items with this
LIST_FIELDS = ("tags", "other_mobiles")


async def lines_of(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, str]]:
    """(line number, text) for each non-blank line; a chunk may end in the middle of a line or a character."""
    pending = b""
    number = 0
    async for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            number += 1
            text = raw.decode("utf-8", errors="replace").strip().removeprefix("\ufeff")
            if text:
                yield number, text
    if pending.strip():
        yield number + 1, pending.decode("utf-8", errors="replace").strip().removeprefix("\ufeff")


def parse_ndjson(text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid("import_not_json", "not JSON: {reason} at column {column}", reason=error.msg,
                      column=error.colno) from error
    if not isinstance(record, dict):
        raise Invalid("import_not_object", "each line must be one JSON object")
    return record


def csv_header(text: str) -> list[str]:
    return [name.strip() for name in next(csv.reader([text]))]


def parse_csv(text: str, header: list[str]) -> dict[str, Any]:
    """Empty cells are left out (an update does not blank a field by omission); lists split on `|`.
    Known limitation: a quoted cell cannot span lines."""
    cells = next(csv.reader([text]))
    if len(cells) != len(header):
        raise Invalid("import_cell_count", "{cells} cells where the header names {columns}", cells=len(cells),
                      columns=len(header))
    record: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=True):
        cell = cell.strip()
        if cell == "":
            continue
        record[name] = [item.strip() for item in cell.split(LIST_SEPARATOR)] if name in LIST_FIELDS else cell
    return record
