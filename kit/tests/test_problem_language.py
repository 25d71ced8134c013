"""Problem documents speak the client's language (zh-CN by default, en on request); pointers never change."""

from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from crm_kit import problems
from crm_kit.problem_texts import negotiate
from crm_kit.problems import Problem, not_found


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mobile: str = Field(min_length=11)
    email: EmailStr
    visits: int = Field(ge=0)
    name: str


def member_app(problem_language: str | None = None) -> FastAPI:
    app = FastAPI()
    if problem_language:
        app.state.settings = SimpleNamespace(problem_language=problem_language)
    problems.install(app)

    @app.post("/members")
    async def join(member: Member) -> Member:
        return member

    @app.get("/members/{member_id}")
    async def read(member_id: str):
        raise not_found("member")

    @app.put("/members/{member_id}")
    async def change(member_id: str):
        # How services raise it today: plain English, recognised by its wording.
        raise Problem(412, "Precondition Failed", "The record changed since you read it; read it again.")

    @app.delete("/members/{member_id}")
    async def leave(member_id: str):
        raise Problem(409, "Conflict", "This member still has open cases.")

    return app


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit")


BAD_MEMBER = {"mobile": "1381234", "email": "li.na-at-example.com", "visits": -1, "colour": "red"}


async def test_without_accept_language_a_refusal_is_in_chinese_with_the_same_pointers():
    async with client_of(member_app()) as client:
        response = await client.post("/members", json=BAD_MEMBER)
    assert response.status_code == 422
    assert response.headers["content-language"] == "zh-CN"
    body = response.json()
    assert (body["title"], body["detail"]) == ("无法处理的内容", "请求中有无效的字段。")
    assert {e["pointer"]: e["detail"] for e in body["errors"]} == {
        "/mobile": "至少 11 个字符",
        "/email": "必须是有效的电子邮件地址",
        "/visits": "必须大于或等于 0",
        "/name": "必填",
        "/colour": "不允许此字段",
    }
    assert {e["in"] for e in body["errors"]} == {"body"}


async def test_accept_language_en_gets_pydantics_english_and_the_same_pointers():
    async with client_of(member_app()) as client:
        response = await client.post("/members", json=BAD_MEMBER, headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = response.json()
    assert response.headers["content-language"] == "en"
    assert (body["title"], body["detail"]) == ("Unprocessable Content", "The request has invalid fields.")
    details = {e["pointer"]: e["detail"] for e in body["errors"]}
    assert details["/mobile"] == "String should have at least 11 characters"
    assert details["/name"] == "Field required"
    assert "valid email address" in details["/email"]


async def test_the_setting_decides_without_a_header_and_the_header_still_wins():
    async with client_of(member_app(problem_language="en")) as client:
        plain = await client.get("/members/m-1")
        chinese = await client.get("/members/m-1", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert plain.json()["title"] == "Not Found" and plain.json()["detail"] == "No such member."
    assert chinese.json()["title"] == "未找到" and chinese.json()["detail"] == "没有这条记录（member）。"


async def test_common_english_details_are_translated_and_a_services_own_wording_is_kept():
    async with client_of(member_app()) as client:
        stale = await client.put("/members/m-1")
        busy = await client.delete("/members/m-1")
        stale_en = await client.put("/members/m-1", headers={"Accept-Language": "en"})
    assert stale.status_code == 412
    assert stale.json()["title"] == "前提条件不满足"
    assert stale.json()["detail"] == "您读取之后，这条记录已被修改；请重新读取。"
    assert stale_en.json()["detail"] == "The record changed since you read it; read it again."
    assert busy.json()["title"] == "冲突" and busy.json()["detail"] == "This member still has open cases."


async def test_a_query_parameter_error_keeps_its_name_in_both_languages():
    app = FastAPI()
    problems.install(app)

    @app.get("/visits")
    async def visits(limit: int = 50):
        return []

    async with client_of(app) as client:
        chinese = await client.get("/visits", params={"limit": "many"})
        english = await client.get("/visits", params={"limit": "many"}, headers={"Accept-Language": "en"})
    assert chinese.json()["errors"] == [{"in": "query", "name": "limit", "detail": "必须是整数"}]
    english_detail = "Input should be a valid integer, unable to parse string as an integer"
    assert english.json()["errors"] == [{"in": "query", "name": "limit", "detail": english_detail}]


def test_an_unkeyed_no_such_sentence_is_translated_like_not_found():
    missing = Problem(404, "Not Found", "No such API client.")
    assert missing.body(language="zh-CN")["detail"] == "没有这条记录（API client）。"
    assert missing.body(language="en")["detail"] == "No such API client."


def test_a_keyed_problem_keeps_its_english_for_logs_and_callers_that_read_it():
    problem = Problem(404, "Not Found", detail_key="not_found", detail_params={"what": "vehicle"})
    assert problem.detail == "No such vehicle." and str(problem) == "No such vehicle."
    assert problem.body(language="zh-CN")["detail"] == "没有这条记录（vehicle）。"


@pytest.mark.parametrize(("header", "language"), [
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("zh-TW", "zh-CN"),
    ("fr-FR, de;q=0.5", "zh-CN"),
    ("en;q=0, zh", "zh-CN"),
    ("fr, en;q=0.3", "en"),
    ("*", "zh-CN"),
    ("en;q=abc, zh;q=0.1", "zh-CN"),
])
def test_accept_language_picks_the_best_language_we_speak(header, language):
    assert negotiate(header) == language


def test_without_a_language_we_speak_the_default_is_used():
    assert negotiate("fr", default="en") == "en"
    assert negotiate(None, default="en") == "en"


def test_the_language_setting_comes_from_the_environment_and_refuses_a_language_we_do_not_speak(monkeypatch):
    from pydantic import ValidationError

    from crm_kit.settings import ServiceSettings

    assert ServiceSettings().problem_language == "zh-CN"
    monkeypatch.setenv("CRM_PROBLEM_LANGUAGE", "en")
    assert ServiceSettings().problem_language == "en"
    monkeypatch.setenv("CRM_PROBLEM_LANGUAGE", "fr")
    with pytest.raises(ValidationError, match="problem_language"):
        ServiceSettings()
