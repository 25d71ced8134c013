from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_contracts import topics
from crm_kit.settings import ServiceSettings

DEV_CARE_CLIENT_SECRET = "care-dev-secret"
DEV_ADMIN_PASSWORD = "admin-demo-password"
# Standard Webhooks' suggested schedule: about 27 hours of retries before a subscription is disabled.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name = "gateway"
    default_port = 8000

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_gateway"
    # The gateway publishes no events, yet the kit starts an outbox relay for every service: at the kit's
    # 50 ms it polled an always-empty table for ~5% of a core, taken from proxying.
    relay_poll_seconds: float = Field(5, gt=0, le=10)
    customer_url: str = "http://127.0.0.1:8001"
    segmentation_url: str = "http://127.0.0.1:8002"
    survey_url: str = "http://127.0.0.1:8003"
    care_url: str = "http://127.0.0.1:8004"
    console_url: str = "http://127.0.0.1:8005"  # the staff console's pages, served at /console/

    # Tokens
    signing_key: str | None = None  # Ed25519 private key (PEM); dev makes a throwaway one at start
    retired_public_keys: list[str] = Field(
        default_factory=list, description="Public keys (PEM) of keys rotated out: still in the JWKS until "
                                          "every token they signed has expired")
    token_ttl_seconds: int = Field(900, ge=60, le=86_400)
    refresh_ttl_seconds: int = Field(14 * 86_400, ge=300)
    client_token_ttl_seconds: int = Field(3600, ge=60, le=86_400)
    bootstrap_admin_username: str = "admin"
    bootstrap_admin_password: str = DEV_ADMIN_PASSWORD
    care_client_secret: str = DEV_CARE_CLIENT_SECRET
    demo_dealer: str | None = Field(None, description="Dev only: create this dealer with one user per role")
    demo_password: str = "demo-password"
    login_max_failures: int = Field(5, ge=1, description="Failed logins in a row before throttling starts")
    login_block_seconds: float = Field(30, gt=0, description="First block; doubles per further failure")
    login_address_max_failures: int = Field(
        20, ge=1, description="Failed logins from one address, across every account, before it is throttled")
    # An external OpenID Connect issuer whose tokens are exchanged for ours (token-exchange grant);
    # the external `sub` must be a username known here.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None

    # Proxy
    proxy_client: str = Field("aiohttp", pattern="^(aiohttp|httpx)$",
                              description="Chosen by bench/gateway_proxy.py: the faster of the two")
    upstream_timeout_seconds: float = Field(30, gt=0)
    upstream_connect_timeout_seconds: float = Field(2, gt=0)
    upstream_connections: int = Field(200, ge=1, le=5000)
    idempotent_retries: int = Field(2, ge=0, le=5)
    breaker_failures: int = Field(5, ge=1, description="Consecutive failures that open a circuit")
    breaker_open_seconds: float = Field(10, gt=0, description="How long an open circuit refuses calls")
    rate_limit_per_second: float = Field(100, gt=0, description="Per client (token subject, or address)")
    rate_limit_burst: int = Field(200, ge=1)
    rate_limit_sync_seconds: float = Field(0.25, gt=0, le=10, description="How often the replicas pool "
                                           "their counts: the limit's slack across replicas")
    max_body_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Imports stream NDJSON; 20 MB cap")
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"])

    # Partner webhooks
    webhook_topics: list[str] = Field(default_factory=lambda: list(topics.ALL))
    webhook_consumer_group: str = "crm-gateway-webhooks"
    webhook_retry_schedule: list[float] = Field(default_factory=lambda: list(RETRY_SCHEDULE))
    webhook_timeout_seconds: float = Field(10, gt=0, le=60)
    webhook_poll_seconds: float = Field(0.5, gt=0, le=60)
    webhook_batch_size: int = Field(100, ge=1, le=5000)
    webhook_allow_private_urls: bool = Field(
        True, description="Dev/test deliver to 127.0.0.1; production refuses non-https and local addresses")

    def insecure_settings(self) -> list[str]:
        problems = super().insecure_settings()
        if not self.signing_key:
            problems.append("GATEWAY_SIGNING_KEY is required")
        if self.bootstrap_admin_password == DEV_ADMIN_PASSWORD:
            problems.append("GATEWAY_BOOTSTRAP_ADMIN_PASSWORD must be changed")
        if self.care_client_secret == DEV_CARE_CLIENT_SECRET:
            problems.append("GATEWAY_CARE_CLIENT_SECRET must be changed")
        if self.demo_dealer:
            problems.append("GATEWAY_DEMO_DEALER creates well-known logins: dev only")
        if self.webhook_allow_private_urls:
            problems.append("GATEWAY_WEBHOOK_ALLOW_PRIVATE_URLS must be false")
        if "*" in self.cors_origins:
            problems.append("GATEWAY_CORS_ORIGINS must name the front end's origins")
        return problems
