"""One client per channel. Each returns the provider's id for the message or raises DeliveryFailed."""

import json
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from crm_care.domain.signing import mainland_number, send_sms_params


class DeliveryFailed(Exception):
    pass


class EmailSender:
    def __init__(self, smtp_url: str, sender: str):
        url = urlsplit(smtp_url)
        self.host, self.port, self.sender = url.hostname or "127.0.0.1", url.port or 25, sender
        self.tls = url.scheme == "smtps"
        self.username, self.password = url.username, url.password

    async def send(self, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, use_tls=self.tls,
                                  username=self.username, password=self.password, timeout=10)
        except aiosmtplib.SMTPException as error:
            raise DeliveryFailed(f"SMTP: {error}") from error
        except OSError as error:
            raise DeliveryFailed(f"SMTP server unreachable: {error}") from error
        return message.get("Message-ID") or ""


class SmsSender:
    """Aliyun SMS SendSms: a signed form POST; the text is the template registered with the provider."""

    def __init__(self, client: httpx.AsyncClient, url: str, access_key_id: str, access_key_secret: str,
                 sign_name: str):
        self.client, self.url = client, url
        self.access_key_id, self.access_key_secret, self.sign_name = access_key_id, access_key_secret, sign_name

    async def send(self, mobile: str, template_code: str, variables: dict[str, str]) -> str:
        params = send_sms_params(access_key_id=self.access_key_id, access_key_secret=self.access_key_secret,
                                 phone=mainland_number(mobile), sign_name=self.sign_name,
                                 template_code=template_code,
                                 template_param=json.dumps(variables, ensure_ascii=False, separators=(",", ":")))
        try:
            response = await self.client.post(self.url, data=params)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryFailed(f"SMS provider: {error!r}") from error
        if response.status_code != 200 or answer.get("Code") != "OK":
            raise DeliveryFailed(f"SMS provider refused: {answer.get('Code')} {answer.get('Message')}")
        return str(answer.get("BizId", ""))


class WechatSender:
    """WeChat official-account template messages (cgi-bin/message/template/send) with a cached token."""

    def __init__(self, client: httpx.AsyncClient, url: str, app_id: str, app_secret: str):
        self.client, self.url, self.app_id, self.app_secret = client, url.rstrip("/"), app_id, app_secret
        self._token: str | None = None
        self._expires = 0.0

    async def _access_token(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 300:
            response = await self.client.get(f"{self.url}/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret})
            answer = response.json()
            if "access_token" not in answer:
                raise DeliveryFailed(f"WeChat token: {answer.get('errcode')} {answer.get('errmsg')}")
            self._token, self._expires = answer["access_token"], time.monotonic() + answer.get("expires_in", 7200)
        return self._token

    async def send(self, openid: str, template_id: str, variables: dict[str, str], link: str | None = None) -> str:
        body = {"touser": openid, "template_id": template_id,
                "data": {key: {"value": str(value)} for key, value in variables.items()}}
        if link:
            body["url"] = link
        try:
            response = await self.client.post(f"{self.url}/cgi-bin/message/template/send",
                                              params={"access_token": await self._access_token()}, json=body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryFailed(f"WeChat: {error!r}") from error
        if answer.get("errcode") not in (0, None):
            if answer.get("errcode") in (40001, 42001):  # token invalid or expired: fetch a new one next time
                self._token = None
            raise DeliveryFailed(f"WeChat refused: {answer.get('errcode')} {answer.get('errmsg')}")
        return str(answer.get("msgid", ""))
