"""ConsoleSettings: where the gateway is, how cookies are protected. The console has no database or broker."""

import secrets
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("zh-CN", "en")


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", frozen=True)

    environment: Literal["dev", "test", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int = 8005
    gateway_url: str = Field("http://127.0.0.1:8000", description="The public API the console calls, nothing else")
    gateway_timeout_seconds: float = Field(10, gt=0, le=60)
    # Signs the CSRF tokens of the forms. Every replica needs the same one; a throwaway one in dev means a
    # restart asks for the form again, nothing worse.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=32)
    default_language: Literal["zh-CN", "en"] = "zh-CN"
    time_zone: str = "Asia/Shanghai"  # dates and times are shown in the dealer's time
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def is_dev(self) -> bool:
        return self.environment != "prod"

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS, except in dev where the console is plain http://127.0.0.1."""
        return not self.is_dev

    @model_validator(mode="after")
    def _refuse_insecure_outside_dev(self) -> "ConsoleSettings":
        if self.is_dev:
            return self
        if "secret_key" not in self.model_fields_set:
            raise ValueError("refusing to start outside dev: CONSOLE_SECRET_KEY is required (shared by replicas)")
        return self
