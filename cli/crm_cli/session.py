"""Where the CLI talks to and with which token: the gateway URL and a token cached by `crm login`.

The cache is `$CRM_CONFIG_DIR/token.json` (default `~/.config/crm`), readable by its owner only.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

DEFAULT_GATEWAY = "http://127.0.0.1:8000"


class NotLoggedIn(Exception):
    pass


def config_dir() -> Path:
    if os.environ.get("CRM_CONFIG_DIR"):
        return Path(os.environ["CRM_CONFIG_DIR"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "crm"


def token_path() -> Path:
    return config_dir() / "token.json"


@dataclass(frozen=True)
class Login:
    gateway: str
    access_token: str
    expires_at: float

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at - 10


def save(login: Login) -> Path:
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(login.__dict__))
    return path


def load() -> Login:
    path = token_path()
    if not path.exists():
        raise NotLoggedIn("Not logged in: run `crm login` first.")
    login = Login(**json.loads(path.read_text()))
    if login.expired:
        raise NotLoggedIn("Your login has expired: run `crm login` again.")
    return login


def request_token(gateway: str, username: str, password: str) -> Login:
    response = httpx.post(gateway.rstrip("/") + "/auth/token", timeout=15,
                          data={"grant_type": "password", "username": username, "password": password})
    if response.status_code != 200:
        raise NotLoggedIn(f"The gateway refused the login ({response.status_code}): {problem_text(response)}")
    body = response.json()
    return Login(gateway.rstrip("/"), body["access_token"], time.time() + body.get("expires_in", 900))


def client(login: Login, timeout: float = 30) -> httpx.Client:
    return httpx.Client(base_url=login.gateway, timeout=timeout,
                        headers={"Authorization": f"Bearer {login.access_token}"})


def problem_text(response: httpx.Response) -> str:
    """The human part of an RFC 9457 problem, with each bad field named."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:500]
    text = body.get("detail") or body.get("title") or str(body)
    for error in body.get("errors") or []:
        where = error.get("pointer") or error.get("name") or ""
        text += f"\n  {where}: {error.get('detail', '')}"
    return text
