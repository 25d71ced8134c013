"""WeChat Work (企业微信) application messages to staff: gettoken with the corp secret, then message/send."""

import time

import httpx

from crm_care.channels.senders import DeliveryFailed


class WecomSender:
    def __init__(self, client: httpx.AsyncClient, url: str, corp_id: str, corp_secret: str, agent_id: int):
        self.client, self.url = client, url.rstrip("/")
        self.corp_id, self.corp_secret, self.agent_id = corp_id, corp_secret, agent_id
        self._token: str | None = None
        self._expires = 0.0

    async def _access_token(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 300:
            try:
                answer = (await self.client.get(f"{self.url}/cgi-bin/gettoken", params={
                    "corpid": self.corp_id, "corpsecret": self.corp_secret})).json()
            except (httpx.HTTPError, ValueError) as error:
                raise DeliveryFailed(f"WeChat Work token: {error!r}") from error
            if "access_token" not in answer:
                raise DeliveryFailed(f"WeChat Work token: {answer.get('errcode')} {answer.get('errmsg')}")
            self._token, self._expires = answer["access_token"], time.monotonic() + answer.get("expires_in", 7200)
        return self._token

    async def send(self, user_id: str, text: str) -> str:
        body = {"touser": user_id, "msgtype": "text", "agentid": self.agent_id, "text": {"content": text}}
        try:
            answer = (await self.client.post(f"{self.url}/cgi-bin/message/send",
                                             params={"access_token": await self._access_token()}, json=body)).json()
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryFailed(f"WeChat Work: {error!r}") from error
        if answer.get("errcode") not in (0, None):
            if answer.get("errcode") in (40014, 42001):  # token invalid or expired: fetch a new one next time
                self._token = None
            raise DeliveryFailed(f"WeChat Work refused: {answer.get('errcode')} {answer.get('errmsg')}")
        if answer.get("invaliduser"):
            raise DeliveryFailed(f"WeChat Work: unknown user {answer['invaliduser']}")
        return str(answer.get("msgid", ""))
