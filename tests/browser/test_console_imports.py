"""Imports and the personal-data access log in a real browser: the CS information manager uploads a customer
file with one bad line, watches it handled and scored, reads and downloads the refused line; then finds
their own reads of a customer's personal data in the access log."""

import asyncio
import csv
import random
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from .support import axe_violations, described, screenshot
from .test_console_session import first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]



def dealer() -> str:
    return f"D-IMPORT-{uuid.uuid4().hex[:6].upper()}"  # each test its own dealer: its own list of imports


def customer_file() -> tuple[bytes, str]:
    """Three customers; line 3 (the header is line 1) has a mobile number that cannot be one."""
    first = f"139{random.randint(0, 99_999_999):08d}"
    rows = ["name,mobile,city", f"王伟,{first},北京", "李娜,12345,上海",
            f"张敏,138{random.randint(0, 99_999_999):08d},广州"]
    return ("\n".join(rows) + "\n").encode(), first


async def choose(page: Page, name: str, body: bytes, mime: str = "text/csv") -> None:
    chosen = {"name": name, "mimeType": mime, "buffer": body}
    await page.get_by_label("文件", exact=True).set_input_files(files=[chosen])


async def test_an_upload_shows_progress_then_done_and_names_the_bad_line(stack, gateway, desktop):
    page = desktop.page
    username = await staff_user(stack, "cs_information_manager", dealer(), name="周敏")
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="数据导入").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("数据导入")
    await screenshot(page, "console-imports")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    # A file of another format is refused at once, named on the field, and nothing is sent.
    await choose(page, "客户.xlsx", b"PK\x03\x04", "application/zip")
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.locator("#file-error")).to_have_text("只支持 .csv 或 .ndjson 文件。")
    await expect(page.get_by_text("还没有导入记录。")).to_be_visible()

    body, _ = customer_file()
    await page.get_by_label("数据类型").select_option(label="客户")
    await choose(page, "客户名单.csv", body)
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page).to_have_url(re.compile(r"/console/imports/[0-9a-f-]{36}$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("导入进度 · 客户")
    progress = page.get_by_role("status")
    # The page polls: whatever phase it opened in, it reaches 完成 without a reload.
    await expect(progress).to_have_text("完成", timeout=120_000)
    await expect(page.get_by_text("已处理 3 / 3 行")).to_be_visible()
    counts = page.locator("dl.counts")
    await expect(counts).to_contain_text("新增2")
    await expect(counts).to_contain_text("失败1")
    await expect(page.get_by_text("不保留每一行的内容")).to_be_visible()

    report = page.locator("table").filter(has=page.get_by_role("columnheader", name="行号"))
    await expect(report.get_by_role("row")).to_have_count(2)  # the header and the one refused line
    refused = report.get_by_role("row").nth(1)
    await expect(refused.get_by_role("rowheader")).to_have_text("3")
    await expect(refused).to_contain_text("手机号（mobile）")
    await expect(refused).to_contain_text("不是有效的中国大陆手机号")  # the service's refusal, in the page's language
    await screenshot(page, "console-import-done")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="下载失败行报告（CSV）").click()
    download = await download_info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    lines = list(csv.reader(text.splitlines()))
    assert lines[0] == ["行号", "字段", "错误"]
    assert [row[:2] for row in lines[1:]] == [["3", "手机号（mobile）"]]
    assert lines[1][2].startswith("不是有效的中国大陆手机号")

    # The same file again: nothing changes, and the counts say so.
    await page.get_by_role("link", name="数据导入").first.click()
    await expect(page.get_by_role("row").filter(has_text="客户")).to_have_count(1)
    await choose(page, "客户名单.csv", body)
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.get_by_role("status")).to_have_text("完成", timeout=120_000)
    await expect(page.locator("dl.counts")).to_contain_text("未变化2")
    await expect(page.locator("dl.counts")).to_contain_text("新增0")
    assert desktop.requests.outside(gateway) == []


async def test_the_access_log_lists_the_reads_a_user_made(stack, gateway, desktop):
    page = desktop.page
    username = await staff_user(stack, "cs_information_manager", dealer(), name="孙丽")
    await first_sign_in(page, gateway, username)
    body, mobile = customer_file()
    await page.goto(gateway + "/console/imports")
    await choose(page, "c.csv", body)
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.get_by_text("已处理 3 / 3 行")).to_be_visible(timeout=120_000)

    # Reading a customer unmasked (this role holds pii:read) is what the log records.
    await page.goto(gateway + f"/console/customers?q={mobile}")
    await page.get_by_role("link", name="王伟").click()
    customer_id = page.url.rsplit("/", 1)[-1]
    uuid.UUID(customer_id)

    await page.get_by_role("link", name="个人信息访问日志").click()
    await page.get_by_label("用户").fill(username)
    await page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody tr")
    await expect(rows.filter(has_text="查看客户")).to_have_count(1)
    read = rows.filter(has_text="查看客户")
    await expect(read).to_contain_text(username)
    await expect(read).to_contain_text(customer_id[:8])
    await expect(read).to_contain_text("手机")
    await expect(rows.filter(has_text="客户列表").first).to_contain_text(username)  # the search listed them
    await screenshot(page, "console-access-log")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    # Another user's name finds none of these reads.
    await page.get_by_label("用户").fill("nobody." + uuid.uuid4().hex[:6])
    await page.get_by_role("button", name="筛选").click()
    await expect(page.get_by_text("没有符合条件的记录。")).to_be_visible()
