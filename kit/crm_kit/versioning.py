"""ETags and If-Match: an edit names the version it read, so two editors cannot overwrite each other unseen.

A resource carries an integer `version`, raised by every write. Its ETag is that number, quoted. A resource
shown from defaults before anything was stored (a dealer's settings on first use) is version 0: a first write
may name `"0"` or `*`.
"""

from typing import Annotated

from fastapi import Header, Response

from crm_kit.problems import Problem

UNSTORED = 0

IfMatch = Annotated[str | None, Header(
    description="Required: the ETag of your last read of this resource (or `*`); a stale one answers 412")]


def etag(version: int) -> str:
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int, required: bool = True) -> None:
    """428 without If-Match (when required), 412 naming the current ETag when it matches none of the tags."""
    if if_match is None:
        if required:
            raise Problem(428, "Precondition Required", "Send If-Match with the ETag you last read.",
                          current_etag=etag(version))
        return
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and etag(version) not in tags:
        raise precondition_failed(version)


def precondition_failed(current_version: int) -> Problem:
    return Problem(412, "Precondition Failed", "The record changed since you read it; read it again.",
                   current_etag=etag(current_version))
