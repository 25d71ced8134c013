"""Contact details from the customer service, asked for at send time with a client-credentials token."""

import time
import uuid
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Contact:
    name: str
    mobile: str | None = None
    email: str | None = None
    wechat_openid: str | None = None
    language: str = "zh-CN"
    gender: str | None = None

    def reachable(self) -> set[str]:
        found = {"sms" if self.mobile else None, "email" if self.email else None,
                 "wechat" if self.wechat_openid else None}
        return {channel for channel in found if channel}


class ContactUnavailable(Exception):
    """The customer service could not answer now; the message is retried later."""


class CustomerDirectory:
    def __init__(self, client: httpx.AsyncClient, *, customer_url: str, token_url: str, client_id: str,
                 client_secret: str | None, static_token: str | None = None):
        self.client, self.customer_url, self.token_url = client, customer_url.rstrip("/"), token_url
        self.client_id, self.client_secret, self.static_token = client_id, client_secret, static_token
        self._token: str | None = None
        self._expires = 0.0

    async def token(self) -> str:
        if self.static_token:
            return self.static_token
        if self._token is None or time.monotonic() > self._expires - 60:  # renew a minute before expiry
            response = await self.client.post(self.token_url, data={
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret or ""})
            if response.status_code != 200:
                raise ContactUnavailable(f"token endpoint answered {response.status_code}")
            granted = response.json()
            self._token = granted["access_token"]
            self._expires = time.monotonic() + float(granted.get("expires_in", 300))
        return self._token

    async def contact(self, customer_id: uuid.UUID) -> Contact | None:
        """None when the customer service does not know the customer (erased or never registered)."""
        try:
            response = await self.client.get(f"{self.customer_url}/api/v1/customers/{customer_id}",
                                             headers={"Authorization": f"Bearer {await self.token()}"})
        except httpx.HTTPError as error:
            raise ContactUnavailable(repr(error)) from error
        if response.status_code == 404:
            return None
        if response.status_code == 401 and not self.static_token:
            self._token = None
        if response.status_code != 200:
            raise ContactUnavailable(f"customer service answered {response.status_code}")
        record = response.json()
        if record.get("erased"):
            return None
        return Contact(name=record.get("name") or "", mobile=record.get("mobile"), email=record.get("email"),
                       wechat_openid=record.get("wechat_openid"), language=record.get("language") or "zh-CN",
                       gender=record.get("gender"))
