"""Local stand-ins for the outside world in `make run`: an SMTP sink and an HTTP receiver that records
what would have been sent by SMS (Aliyun SendSms) and WeChat, and shows it at GET /.

    python -m crm_care.sinks --smtp-port 8025 --http-port 8026

Point the care service at them with CARE_SMTP_URL=smtp://127.0.0.1:8025,
CARE_SMS_URL=http://127.0.0.1:8026/sms/ and CARE_WECHAT_URL=http://127.0.0.1:8026/wechat (the defaults).
"""

import argparse
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request

Record = dict[str, Any]


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

    @app.get("/")
    async def shown() -> list[Record]:
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
