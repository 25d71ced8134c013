"""Local stand-ins for the outside world in `make run`: an SMTP sink and an HTTP receiver that records
what would have been sent by SMS (Aliyun SendSms) and WeChat, and shows it at GET /.

    python -m crm_care.sinks --smtp-port 8025 --http-port 8026

Point the care service at them with CARE_SMTP_URL=smtp://127.0.0.1:8025,
CARE_SMS_URL=http://127.0.0.1:8026/sms/ and CARE_WECHAT_URL=http://127.0.0.1:8026/wechat (the defaults).

GET / is a page in Chinese for a browser (newest first, links clickable) and the raw JSON list for anyone
else (the tests read it).
"""

import argparse
import json
import re
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from markupsafe import Markup, escape

from crm_care.domain.templates import TemplateInvalid, default_template, render

Record = dict[str, Any]
CHINA = ZoneInfo("Asia/Shanghai")
CHANNELS = {"sms": "短信", "wechat": "微信", "email": "电子邮件", "wecom": "企业微信"}
VARIABLES = {"name": "称呼", "link": "链接", "due_on": "日期", "days_left": "剩余天数", "festival_name": "节日",
             "years": "年数", "survey_kind": "问卷类型"}
URL = re.compile(r"https?://[^\s<>\"'，。]+")

PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>已发送的消息（开发用收件箱）</title>
<style>
body { margin: 0; font: 16px/1.5 system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       color: #1a1a1a; background: #f4f5f7; }
main { max-width: 48rem; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
.lead { color: #4a4a4a; margin: 0 0 16px; }
ol { list-style: none; padding: 0; margin: 0; }
li { background: #fff; border: 1px solid #c8ccd2; border-radius: 8px; padding: 12px; margin-bottom: 12px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 12px; color: #4a4a4a; font-size: 0.9rem; }
.channel { font-weight: 700; color: #0b4f94; }
h2 { font-size: 1.05rem; margin: 6px 0; }
p.body { white-space: pre-wrap; margin: 4px 0 0; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0; }
dt { color: #4a4a4a; } dd { margin: 0; overflow-wrap: anywhere; }
a { color: #0b4f94; }
</style></head>
<body><main>
<h1>已发送的消息</h1>
<p class="lead">本地开发用的收件箱：关怀服务发出的短信、微信和电子邮件都在这里（最新的在前），
共 {{ messages|length }} 条。<a href="/">刷新</a></p>
{% if not messages %}<p>还没有消息。</p>{% endif %}
<ol>
{% for m in messages %}
<li>
  <div class="meta"><span class="channel">{{ m.channel }}</span><span>收件人：{{ m.recipient }}</span>
    <time datetime="{{ m.at_iso }}">{{ m.at }}</time></div>
  {% if m.subject %}<h2>{{ m.subject }}</h2>{% endif %}
  {% if m.body %}<p class="body">{{ m.body }}</p>{% endif %}
  {% if m.fields %}<dl>{% for name, value in m.fields %}
    <dt>{{ name }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>{% endif %}
</li>
{% endfor %}
</ol>
</main></body></html>
"""


def linked(text: str) -> Markup:
    """Escaped text with its web addresses made clickable (the survey link in an SMS, for one)."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


def shown_as(record: Record) -> dict[str, Any]:
    """One message as the page lists it: channel, recipient, China time, subject and body or variables."""
    at = datetime.fromisoformat(record["at"])
    shown: dict[str, Any] = {"channel": CHANNELS.get(record["channel"], record["channel"]), "at_iso": record["at"],
                             "at": at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"), "subject": None,
                             "body": None, "fields": []}
    if record["channel"] == "email":
        shown.update(recipient=", ".join(record["to"]), subject=record["subject"], body=linked(record["body"]))
    elif record["channel"] == "sms":
        params = record["params"]
        try:
            variables = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            variables = {"TemplateParam": params.get("TemplateParam")}
        code = params.get("TemplateCode", "")
        subject, text = sms_text(code, variables)
        shown.update(recipient=params.get("PhoneNumbers", ""), subject=f"【{params.get('SignName', '')}】{subject}",
                     body=linked(text) if text else None,
                     fields=[("模板", code), *((VARIABLES.get(name, name), linked(str(value)))
                                               for name, value in variables.items())])
    elif record["channel"] == "wecom":  # a staff notification: plain text to a WeChat Work user
        body = record["body"]
        shown.update(recipient=body.get("touser", ""), body=linked(body.get("text", {}).get("content", "")))
    else:
        body = record["body"]
        fields = [(name, linked(str(value.get("value", "")))) for name, value in body.get("data", {}).items()]
        fields = [(VARIABLES.get(name, name), value) for name, value in fields]
        if body.get("url"):
            fields.append(("点击打开", linked(body["url"])))
        shown.update(recipient=body.get("touser", ""), subject=f"模板消息 {body.get('template_id', '')}",
                     fields=fields)
    return shown


def sms_text(template_code: str, variables: dict[str, Any]) -> tuple[str, str | None]:
    """(subject, text) as the customer reads it: the provider fills its registered template, which is
    our default one for the purpose (`SMS_CRM_<PURPOSE>`); the provider's own wording is not seen here."""
    template = default_template(template_code.removeprefix("SMS_CRM_").lower(), "sms", "zh-CN")
    if not template.subject:
        return f"短信模板 {template_code}", None
    try:
        return template.subject, render(template.body, variables)
    except TemplateInvalid:
        return template.subject, None


def outbox_page(outbox: list[Record]) -> str:
    template = Environment(autoescape=True).from_string(PAGE)
    return template.render(messages=[shown_as(record) for record in reversed(outbox)])


class MailSink:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self, outbox: list[Record]):
        self.outbox = outbox

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.outbox.append({"channel": "email", "at": datetime.now(UTC).isoformat(), "from": envelope.mail_from,
                            "to": list(envelope.rcpt_tos), "subject": str(parsed["Subject"]),
                            "body": parsed.get_body(("plain",)).get_content()})
        return "250 OK"


def receiver(outbox: list[Record]) -> FastAPI:
    app = FastAPI(title="Care channel sink", docs_url=None, redoc_url=None)

    @app.post("/sms/")
    async def sms(request: Request) -> dict:
        params = dict((await request.form()).items())
        outbox.append({"channel": "sms", "at": datetime.now(UTC).isoformat(), "params": params})
        return {"Code": "OK", "Message": "OK", "BizId": uuid.uuid4().hex[:20], "RequestId": str(uuid.uuid4())}

    @app.get("/wechat/cgi-bin/token")
    async def wechat_token() -> dict:
        return {"access_token": "sink-" + uuid.uuid4().hex, "expires_in": 7200}

    @app.post("/wechat/cgi-bin/message/template/send")
    async def wechat_send(request: Request) -> dict:
        outbox.append({"channel": "wechat", "at": datetime.now(UTC).isoformat(), "body": await request.json()})
        return {"errcode": 0, "errmsg": "ok", "msgid": int(uuid.uuid4().int % 10**12)}

    @app.get("/wecom/cgi-bin/gettoken")
    async def wecom_token() -> dict:
        return {"errcode": 0, "errmsg": "ok", "access_token": "sink-" + uuid.uuid4().hex, "expires_in": 7200}

    @app.post("/wecom/cgi-bin/message/send")
    async def wecom_send(request: Request) -> dict:
        outbox.append({"channel": "wecom", "at": datetime.now(UTC).isoformat(), "body": await request.json()})
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": uuid.uuid4().hex}

    @app.get("/", response_model=None)
    async def shown(request: Request) -> list[Record] | HTMLResponse:
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(outbox_page(outbox))
        return outbox

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Record what the care service would have sent.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--http-port", type=int, default=8026)
    arguments = parser.parse_args()
    outbox: list[Record] = []
    smtp = Controller(MailSink(outbox), hostname=arguments.host, port=arguments.smtp_port)
    smtp.start()
    try:
        uvicorn.run(receiver(outbox), host=arguments.host, port=arguments.http_port, log_level="warning")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
