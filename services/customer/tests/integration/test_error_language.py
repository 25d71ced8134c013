"""A dealer's staff read every field error in their language: the API's 422 and an import's report alike."""

from .conftest import person
from .test_imports import ndjson, run_import

MOBILE_ZH = "不是有效的中国大陆手机号（11位，以13–19开头）"
MOBILE_EN = "not a valid mainland China mobile number (11 digits starting 13–19)"


async def test_a_bad_mobile_is_refused_in_chinese_for_zh_cn_and_in_english_for_en(client, auth):
    answers = {language: await client.post("/api/v1/customers", json=person(mobile="12345"),
                                           headers={**auth(), "Accept-Language": language})
               for language in ("zh-CN", "en")}
    assert {language: answer.status_code for language, answer in answers.items()} == {"zh-CN": 422, "en": 422}
    assert answers["zh-CN"].json()["errors"] == [{"in": "body", "pointer": "/mobile", "detail": MOBILE_ZH}]
    assert answers["en"].json()["errors"] == [{"in": "body", "pointer": "/mobile", "detail": MOBILE_EN}]


async def test_an_import_report_words_each_failed_row_in_the_callers_language(client, auth):
    rows = [{"name": "坏号码", "mobile": "12345"}, {"name": " ", "mobile": "13800138011"}]
    job, _ = await run_import(client, auth, "customers", ndjson(rows) + "[1, 2]\n")
    path = f"/api/v1/imports/{job['id']}/report"

    async def details(language: str) -> list[tuple[int, str, str]]:
        answer = await client.get(path, headers={**auth(), "Accept-Language": language})
        assert answer.headers["content-language"] == language
        return [(row["line"], error["pointer"], error["detail"]) for row in answer.json()["items"]
                for error in row["errors"]]

    assert await details("zh-CN") == [(1, "/mobile", MOBILE_ZH), (2, "/name", "不能为空"),
                                      (3, "", "每一行必须是一个 JSON 对象")]
    assert await details("en") == [(1, "/mobile", MOBILE_EN), (2, "/name", "must not be blank"),
                                   (3, "", "each line must be one JSON object")]


async def test_a_vehicle_import_names_a_missing_owner_and_a_wrong_check_digit_in_chinese(client, auth):
    cars = [{"vin": "LFV2A21K0G3000000", "customer_mobile": "13700137999", "brand": "大众", "model": "速腾"}]
    job, _ = await run_import(client, auth, "vehicles", ndjson(cars))
    report = await client.get(f"/api/v1/imports/{job['id']}/report", headers={**auth(), "Accept-Language": "zh-CN"})
    assert {error["pointer"]: error["detail"] for error in report.json()["items"][0]["errors"]} == {
        "/vin": "VIN 校验位（第9位）是 0，按其余字符计算应为 5",
        "/customer_mobile": "本经销商没有这位客户（或已删除）"}
