"""The kit's request-side pieces as a client meets them: problems, cursors, tokens, settings."""

import time
import uuid
from datetime import UTC, datetime

import httpx
import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from crm_devstack.ports import free_port
from crm_kit import problems
from crm_kit.auth import TokenVerifier
from crm_kit.db import create_engine
from crm_kit.pagination import decode_cursor, encode_cursor, newest_first, oldest_first, page_of, position_after
from crm_kit.problems import Problem
from crm_kit.settings import ServiceSettings


class Visit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(ge=0)
    order_number: str


def problem_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)
    unreachable = create_engine(f"postgresql+asyncpg://crm:x@127.0.0.1:{free_port()}/nowhere", pool_size=1)

    @app.post("/visits")
    async def record(visit: Visit) -> Visit:
        return visit

    @app.get("/conflict")
    async def conflict():
        raise Problem(409, "Conflict", "Already there.", existing_id="c-1")

    @app.get("/crash")
    async def crash():
        raise RuntimeError("secret internals")

    @app.get("/database")
    async def database():
        async with unreachable.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=problem_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        yield client


async def test_validation_problem_names_every_bad_field_with_a_pointer(client):
    response = await client.post("/visits", json={"amount": -5, "colour": "red"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["instance"] == "/visits"
    assert {e["pointer"] for e in body["errors"]} == {"/amount", "/order_number", "/colour"}


async def test_problem_carries_extra_members_and_unexpected_errors_hide_internals(client):
    conflict = await client.get("/conflict")
    assert conflict.status_code == 409 and conflict.json()["existing_id"] == "c-1"
    crash = await client.get("/crash")
    assert crash.status_code == 500
    assert "secret" not in crash.text
    missing = await client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


async def test_unreachable_database_is_a_retryable_503(client):
    response = await client.get("/database")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"


@pytest.mark.parametrize(("sql", "value"), [
    ("SELECT CAST(:value AS text)", "name\x00with a NUL"),  # PostgreSQL refuses NUL in text (SQLSTATE 22021)
    ("SELECT CAST(:value AS integer)", 429_115_533_040),  # asyncpg cannot encode it as int4
])
async def test_a_value_the_database_cannot_store_is_the_clients_422_not_our_500(sessions, sql, value):
    app = FastAPI()
    problems.install(app)

    @app.get("/store")
    async def store():
        async with sessions() as session:
            await session.exec(text(sql).bindparams(value=value))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        response = await client.get("/store")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_cursor_round_trips_and_a_forged_one_is_a_400_on_the_cursor_parameter():
    cursor = encode_cursor("2026-11-01T00:00:00+00:00", 42)
    assert decode_cursor(cursor, 2) == ["2026-11-01T00:00:00+00:00", 42]
    with pytest.raises(Problem) as refused:
        decode_cursor("bm90LWEtbGlzdA", 2)
    assert refused.value.status == 400 and refused.value.errors[0]["name"] == "cursor"
    page = page_of([1, 2, 3], 2, lambda item: (item,))
    assert page.items == [1, 2] and decode_cursor(page.next_cursor, 1) == [2]
    assert page_of([1, 2], 2, lambda item: (item,)).next_cursor is None


@pytest.mark.parametrize("forged", ["garbage!", encode_cursor("not a time", "not an id"), encode_cursor(1)])
def test_a_cursor_whose_values_do_not_parse_is_a_400_on_the_cursor_not_a_500(forged):
    with pytest.raises(Problem) as refused:
        position_after(forged, datetime.fromisoformat, uuid.UUID)
    assert refused.value.status == 400 and refused.value.errors[0]["name"] == "cursor"
    row_id = uuid.uuid4()
    given = encode_cursor("2026-11-01T00:00:00+00:00", row_id)
    assert position_after(given, datetime.fromisoformat, uuid.UUID) == (
        datetime(2026, 11, 1, tzinfo=UTC), row_id)
    assert position_after(None, uuid.UUID) is None


def test_a_newest_first_page_keeps_to_the_callers_dealers_and_starts_after_the_cursor():
    visits = sa.table("visits", sa.column("id"), sa.column("dealer_id"), sa.column("visited_on"))
    query = newest_first(sa.select(visits.c.id), (visits.c.visited_on, visits.c.id), ("2026-11-01", 7), 20,
                         dealer_column=visits.c.dealer_id, dealers=frozenset({"D1"}), dealer_id="D1")
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "visits.dealer_id IN ('D1')" in sql and "visits.dealer_id = 'D1'" in sql
    assert "(visits.visited_on, visits.id) < ('2026-11-01', 7)" in sql
    assert "ORDER BY visits.visited_on DESC, visits.id DESC" in sql and "LIMIT 21" in sql
    everyone = str(newest_first(sa.select(visits.c.id), (visits.c.id,), None, 5,
                                dealer_column=visits.c.dealer_id).compile(dialect=postgresql.dialect()))
    assert "dealer_id" not in everyone.split("FROM")[1]
    queue = str(oldest_first(sa.select(visits.c.id), (visits.c.visited_on, visits.c.id), ("2026-11-01", 7), 5)
                .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "(visits.visited_on, visits.id) > ('2026-11-01', 7)" in queue
    assert "ORDER BY visits.visited_on, visits.id" in queue and "DESC" not in queue


@pytest.fixture(scope="module")
def keys():
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, pem


def token(private, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": "crm-gateway", "aud": "crm", "sub": "u1", "iat": now, "exp": now + 60,
              "scope": "customers:read pii:read", "dealers": ["D1"], "roles": ["cs_information_manager"]}
    return jwt.encode({**claims, **overrides}, private, algorithm="EdDSA", headers={"kid": "k1"})


async def test_a_valid_token_gives_permissions_and_dealer_scope(keys):
    private, pem = keys
    principal = await TokenVerifier(issuer="crm-gateway", audience="crm", public_key=pem).verify(token(private))
    assert principal.can("pii:read") and not principal.can("customers:write")
    assert principal.sees("D1") and not principal.sees("D2") and principal.dealer_filter() == {"D1"}


@pytest.mark.parametrize(("forge", "detail"), [
    (lambda private: token(private, exp=int(time.time()) - 120), "expired"),
    (lambda private: token(Ed25519PrivateKey.generate()), "not valid"),
    (lambda private: token(private, aud="someone-else"), "not valid"),
    (lambda private: token(private, iss="evil"), "not valid"),
    (lambda private: "not.a.token", "malformed"),
])
async def test_expired_forged_or_foreign_tokens_are_refused(keys, forge, detail):
    private, pem = keys
    with pytest.raises(Problem) as refused:
        await TokenVerifier(issuer="crm-gateway", audience="crm", public_key=pem).verify(forge(private))
    assert refused.value.status == 401 and detail in refused.value.detail


def test_production_refuses_insecure_defaults_but_dev_allows_them():
    assert ServiceSettings(environment="dev").is_dev
    with pytest.raises(ValidationError, match="DATABASE_URL needs a real password"):
        ServiceSettings(environment="prod")
    with pytest.raises(ValidationError, match="JWT_JWKS_URL must be https"):
        ServiceSettings(environment="prod", database_url="postgresql+asyncpg://crm:S3cret@db/crm",
                        jwt_jwks_url="http://gateway.internal/.well-known/jwks.json")
    ServiceSettings(environment="prod", database_url="postgresql+asyncpg://crm:S3cret@db/crm",
                    jwt_jwks_url="https://gateway.example/.well-known/jwks.json")
