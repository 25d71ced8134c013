from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name = "gateway"
    default_port = 8000

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_gateway"
    customer_url: str = "http://127.0.0.1:8001"
    segmentation_url: str = "http://127.0.0.1:8002"
    survey_url: str = "http://127.0.0.1:8003"
    care_url: str = "http://127.0.0.1:8004"
    signing_key: str | None = None  # Ed25519 private key (PEM); dev makes a throwaway one at start
    token_ttl_seconds: int = 900
    bootstrap_admin_username: str = "admin"
    bootstrap_admin_password: str = "admin-demo-password"
    upstream_timeout_seconds: float = 30

    def insecure_settings(self) -> list[str]:
        problems = super().insecure_settings()
        if not self.signing_key:
            problems.append("GATEWAY_SIGNING_KEY is required")
        if self.bootstrap_admin_password == "admin-demo-password":
            problems.append("GATEWAY_BOOTSTRAP_ADMIN_PASSWORD must be changed")
        return problems
