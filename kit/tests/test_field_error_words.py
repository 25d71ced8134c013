"""A service's own validators are answered in the client's language too: their errors carry a type and its
context (crm_kit.problem_texts.Invalid / Worded), whether pydantic raised them, a handler refused a field, or an
import stored the refusal to be read back later."""

import copy
import json
import pickle

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError, field_validator

from crm_kit import problems
from crm_kit.problem_texts import Invalid, Worded, entry, reason_of
from crm_kit.problems import field_error, invalid

MOBILE_EN = "not a valid mainland China mobile number (11 digits starting 13–19)"


class Lead(BaseModel):
    mobile: str

    @field_validator("mobile")
    @classmethod
    def _mainland(cls, value: str) -> str:
        if not value.startswith("1"):
            raise Invalid("mobile_invalid", MOBILE_EN)
        return value


def lead_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.post("/leads")
    async def take(lead: Lead) -> Lead:
        return lead

    @app.post("/vehicles")
    async def register():
        check = Invalid("vin_check_digit", "check digit (position 9) is {given}, the VIN's characters give {expected}",
                        given="2", expected="1")
        raise invalid(field_error("body", "vin", str(check)))

    return app


async def post(path: str, language: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=lead_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        return await client.post(path, json={"mobile": "02012345678"}, headers={"Accept-Language": language})


async def test_a_validators_own_error_reads_in_chinese_for_zh_and_keeps_its_english_for_en():
    chinese, english = await post("/leads", "zh-CN"), await post("/leads", "en")
    assert chinese.json()["errors"] == [{"in": "body", "pointer": "/mobile",
                                         "detail": "不是有效的中国大陆手机号（11位，以13–19开头）"}]
    assert english.json()["errors"] == [{"in": "body", "pointer": "/mobile", "detail": f"Value error, {MOBILE_EN}"}]


async def test_a_refused_field_fills_the_chinese_template_from_its_context_and_shows_no_type():
    chinese, english = await post("/vehicles", "zh"), await post("/vehicles", "en-US")
    assert chinese.json()["errors"] == [{"in": "body", "pointer": "/vin",
                                         "detail": "VIN 校验位（第9位）是 2，按其余字符计算应为 1"}]
    assert english.json()["errors"] == [{"in": "body", "pointer": "/vin",
                                         "detail": "check digit (position 9) is 2, the VIN's characters give 1"}]


def test_a_stored_refusal_is_worded_when_read_back_and_an_old_one_without_a_type_keeps_its_message():
    stored = json.loads(json.dumps([field_error("body", "name", Worded("blank", "must not be blank")),
                                    {"in": "body", "pointer": "/mobile", "detail": MOBILE_EN}]))
    assert [entry(e, "zh-CN")["detail"] for e in stored] == ["不能为空", MOBILE_EN]
    assert [entry(e, "en") for e in stored] == [{"in": "body", "pointer": "/name", "detail": "must not be blank"},
                                                {"in": "body", "pointer": "/mobile", "detail": MOBILE_EN}]


def test_pydantics_own_error_keeps_its_type_through_a_stored_import_row():
    class Row(BaseModel):
        visits: int

    try:
        Row(visits="many")
    except ValidationError as error:
        stored = json.loads(json.dumps(field_error("body", "visits", reason_of(error.errors()[0]))))
    assert entry(stored, "zh-CN")["detail"] == "必须是整数"
    assert entry(stored, "en")["detail"].startswith("Input should be a valid integer")


def test_a_refusal_copied_or_pickled_keeps_its_type_and_words():
    refusal = Invalid("vin_check_digit", "check digit (position 9) is {given}, the VIN's characters give {expected}",
                      given="2", expected="1")
    for again in (copy.deepcopy(refusal), pickle.loads(pickle.dumps(refusal))):
        assert str(again) == "check digit (position 9) is 2, the VIN's characters give 1"
        assert entry(field_error("body", "vin", str(again)), "zh-CN")["detail"] == \
            "VIN 校验位（第9位）是 2，按其余字符计算应为 1"
