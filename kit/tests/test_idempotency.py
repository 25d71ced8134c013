"""The Idempotency-Key rules every service keeps: the header's format, replay, refusal and expiry."""

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from crm_kit import problems
from crm_kit.idempotency import (
    FirstAnswer,
    IdempotencyKey,
    first_answer,
    idempotency_keys,
    idempotency_metadata,
    sweep_expired,
)
from crm_kit.problems import Problem


def echo_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.post("/things", status_code=201)
    async def create(idempotency_key: IdempotencyKey = None) -> dict:
        return {"key": idempotency_key}

    return app


async def post_with(key: bytes | None) -> httpx.Response:
    headers = {} if key is None else {"Idempotency-Key": key}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=echo_app()), base_url="http://kit") as client:
        return await client.post("/things", headers=headers)


@pytest.mark.parametrize("key", [b"0b6a3c1e-6f0e-4d52-9a53-8f1f0c2e7d41", b"k" * 255, b"a", b"order 42 / retry ~1"])
async def test_a_key_of_1_to_255_printable_ascii_characters_reaches_the_route(key):
    answer = await post_with(key)
    assert answer.status_code == 201 and answer.json() == {"key": key.decode()}


@pytest.mark.parametrize("key", [b"k" * 256, "键".encode(), b"tab\there", b""])
async def test_any_other_key_is_refused_naming_the_header(key):
    answer = await post_with(key)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [(e["in"], e["name"].lower()) for e in answer.json()["errors"]] == [("header", "idempotency-key")]


async def test_no_key_is_a_write_that_is_not_deduplicated():
    assert (await post_with(None)).json() == {"key": None}


@pytest.fixture
async def keyed(sessions):
    async with sessions() as session, session.begin():
        await session.run_sync(lambda sync: idempotency_metadata.create_all(sync.connection()))
        await session.execute(idempotency_keys.delete())
    return sessions


async def claim(sessions, key, body, resource_id, dealer_id="D1"):
    async with sessions() as session, session.begin():
        return await first_answer(session, key, dealer_id, "POST /things", body, resource_id)


async def test_the_same_key_and_body_answer_the_first_record_and_another_body_is_refused(keyed):
    assert await claim(keyed, "k-1", {"km": 1}, "first") is None
    assert await claim(keyed, "k-1", {"km": 1}, "second") == FirstAnswer("first", 201)
    with pytest.raises(Problem) as refused:
        await claim(keyed, "k-1", {"km": 2}, "third")
    assert refused.value.status == 422 and refused.value.errors[0]["name"] == "Idempotency-Key"
    assert await claim(keyed, "k-1", {"km": 1}, "elsewhere", dealer_id="D2") is None


async def test_the_sweep_removes_only_keys_past_their_lifetime_and_the_key_is_then_new(keyed):
    await claim(keyed, "old", {"km": 1}, "first")
    await claim(keyed, "recent", {"km": 1}, "first")
    async with keyed() as session, session.begin():
        await session.execute(idempotency_keys.update().where(idempotency_keys.c.key == "old")
                              .values(created_at=sa.func.now() - timedelta(hours=25)))
    assert await sweep_expired(keyed, timedelta(hours=24)) == 1
    assert await claim(keyed, "old", {"km": 9}, "again") is None
    assert await claim(keyed, "recent", {"km": 1}, "again") == FirstAnswer("first", 201)
