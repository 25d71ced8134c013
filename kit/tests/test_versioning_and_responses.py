"""ETags and If-Match as an editor meets them, and the statuses every route documents."""

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response

from crm_kit import problems
from crm_kit.auth import Principal, require
from crm_kit.pagination import Cursor
from crm_kit.responses import document
from crm_kit.responses import problems as problem_responses
from crm_kit.versioning import UNSTORED, IfMatch, check_if_match, etag, tag


def settings_app() -> FastAPI:
    """A dealer's settings: the defaults (version 0) until the first save."""
    app = FastAPI()
    problems.install(app)
    stored = {"version": UNSTORED, "cap": 2}

    @app.get("/settings")
    async def read(response: Response) -> dict:
        tag(response, stored["version"])
        return stored

    @app.put("/settings", responses=problem_responses(412, 428))
    async def write(body: dict, response: Response, if_match: IfMatch = None) -> dict:
        check_if_match(if_match, stored["version"])
        stored.update(body, version=stored["version"] + 1)
        tag(response, stored["version"])
        return stored

    return app


@pytest.fixture
async def client():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=settings_app()), base_url="http://t") as c:
        yield c


async def test_a_write_without_if_match_is_428_and_names_the_current_etag(client):
    refused = await client.put("/settings", json={"cap": 3})
    assert refused.status_code == 428
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["current_etag"] == '"0"'
    assert (await client.get("/settings")).json()["cap"] == 2


async def test_defaults_are_version_0_and_a_first_save_names_them(client):
    read = await client.get("/settings")
    assert read.headers["ETag"] == '"0"'
    saved = await client.put("/settings", json={"cap": 3}, headers={"If-Match": read.headers["ETag"]})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"1"' and saved.json()["cap"] == 3


async def test_a_stale_etag_is_412_with_the_current_one_and_changes_nothing(client):
    first = await client.get("/settings")
    await client.put("/settings", json={"cap": 3}, headers={"If-Match": first.headers["ETag"]})
    stale = await client.put("/settings", json={"cap": 9}, headers={"If-Match": first.headers["ETag"]})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"1"'
    assert (await client.get("/settings")).json()["cap"] == 3


@pytest.mark.parametrize("header", ['*', 'W/"1"', '"7", "1"'])
async def test_star_weak_tags_and_lists_match_as_rfc_9110_says(header):
    check_if_match(header, 1)  # no 412
    assert etag(1) == '"1"'


def test_every_route_documents_what_the_kit_answers_there_with_the_problem_schema():
    app = FastAPI()
    problems.install(app)
    customers = APIRouter()  # FastAPI keeps an included router whole: its routes are documented too

    @customers.get("/customers/{customer_id}", responses=problem_responses(409))
    async def one(customer_id: uuid.UUID, principal: Principal = require("customers:read")) -> dict:
        return {}

    @customers.get("/customers")
    async def page(cursor: Cursor = None, principal: Principal = require("customers:read")) -> dict:
        return {}

    @app.get("/ping")
    async def ping() -> dict:
        return {}

    app.include_router(customers)
    document(app)
    spec = app.openapi()
    paths = spec["paths"]
    assert set(paths["/customers/{customer_id}"]["get"]["responses"]) == {"200", "401", "403", "404", "409", "422",
                                                                            "503"}
    assert set(paths["/customers"]["get"]["responses"]) == {"200", "400", "401", "403", "422", "503"}
    assert set(paths["/ping"]["get"]["responses"]) == {"200", "503"}
    conflict = paths["/customers/{customer_id}"]["get"]["responses"]["409"]["content"]
    assert conflict == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert spec["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
