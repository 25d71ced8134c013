"""The settings every service shares; each service subclasses with its own env prefix."""

from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ENVIRONMENTS = ("dev", "test")


class ServiceSettings(BaseSettings):
    """Every port, URL and secret is a setting with an env var (`<PREFIX>_<NAME>`)."""

    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    environment: Literal["dev", "test", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int | None = None
    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm"
    database_pool_size: int = Field(10, ge=1, le=200)
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    jwt_jwks_url: str | None = "http://127.0.0.1:8000/.well-known/jwks.json"
    jwt_public_key: str | None = None  # PEM; when set, the JWKS URL is not used
    jwt_issuer: str = "crm-gateway"
    jwt_audience: str = "crm"
    # The language of problem documents for a client that sends no Accept-Language.
    problem_language: Literal["zh-CN", "en"] = "zh-CN"
    log_level: str = "INFO"
    log_json: bool = True
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    # A commit wakes the relay by NOTIFY; the poll only catches what was staged while it was not listening.
    relay_poll_seconds: float = Field(5, gt=0, le=10)
    outbox_retention_hours: float = Field(72, gt=0)
    consumer_max_attempts: int = Field(5, ge=1, le=100)
    # How long a write's Idempotency-Key replays its first answer before a sweep removes it (as payment APIs do).
    idempotency_key_hours: float = Field(24, gt=0)
    consumer_retry_seconds: float = Field(0.2, ge=0)
    consumer_batch_size: int = Field(500, ge=1, le=10_000)

    @property
    def listen_port(self) -> int:
        return self.port or self.default_port

    @property
    def is_dev(self) -> bool:
        return self.environment in DEV_ENVIRONMENTS

    @model_validator(mode="after")
    def _refuse_insecure_outside_dev(self) -> "ServiceSettings":
        if self.is_dev:
            return self
        problems = self.insecure_settings()
        if problems:
            raise ValueError("refusing to start outside dev: " + "; ".join(problems))
        return self

    def insecure_settings(self) -> list[str]:
        """What would be unsafe in production; subclasses add their own."""
        problems = []
        if not self.jwt_public_key and not self.jwt_jwks_url:
            problems.append("no JWT key: set JWT_PUBLIC_KEY or JWT_JWKS_URL")
        if self.jwt_jwks_url and not self.jwt_public_key:
            jwks = urlsplit(self.jwt_jwks_url)
            if jwks.scheme != "https" and jwks.hostname not in ("127.0.0.1", "localhost", "::1"):
                problems.append("JWT_JWKS_URL must be https unless it is on this host")
        if urlsplit(self.database_url.replace("+asyncpg", "")).password in (None, "", "crm"):
            problems.append("DATABASE_URL needs a real password")
        return problems
