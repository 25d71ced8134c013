from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class CareSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_", extra="ignore", frozen=True)

    service_name = "care"
    default_port = 8004

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_care"
    # Contact details are asked of the customer service at send time, with a client-credentials token.
    customer_url: str = "http://127.0.0.1:8001"
    token_url: str = "http://127.0.0.1:8000/auth/token"
    client_id: str = "crm-care"
    client_secret: str | None = None
    customer_api_token: str | None = Field(None, description="A fixed bearer token instead of the grant (tests)")
    public_base_url: str = Field("http://127.0.0.1:8000", description="Where customers open survey links (/s/…)")
    # Channels: real protocol endpoints; `make run` points them at crm_care.sinks.
    smtp_url: str = "smtp://127.0.0.1:8025"
    email_from: str = "care@dealer.example"
    sms_url: str = "http://127.0.0.1:8026/sms/"
    sms_access_key_id: str = "dev-access-key"
    sms_access_key_secret: str = "dev-access-secret"
    sms_sign_name: str = "经销商关怀"
    wechat_url: str = "http://127.0.0.1:8026/wechat"
    wechat_app_id: str = "dev-app"
    wechat_app_secret: str = "dev-secret"
    # Staff notifications: WeChat Work (企业微信) application messages; links point at the console.
    wecom_url: str = "http://127.0.0.1:8026/wecom"
    wecom_corp_id: str = "dev-corp"
    wecom_corp_secret: str = "dev-corp-secret"
    wecom_agent_id: int = 1000002
    console_base_url: str = Field("http://127.0.0.1:8000/console", description="Where staff open a notification")
    notify_poll_seconds: float = Field(1.0, gt=0, le=60)
    # Scheduler
    scan_interval_seconds: float = Field(3600, gt=0, description="How often the due-scan looks ahead")
    scan_grace_days: int = Field(7, ge=0, le=60, description="Missed days the scan catches up after downtime")
    scan_batch_size: int = Field(5000, ge=100, le=100_000, description="Customers per greeting batch")
    scan_workers: int = Field(2, ge=1, le=16, description="Slices of the vehicles scanned side by side (one "
                              "connection each): about the database's cores")
    dispatch_poll_seconds: float = Field(1.0, gt=0, le=60)
    dispatch_batch_size: int = Field(200, ge=1, le=10_000)
    send_poll_seconds: float = Field(1.0, gt=0, le=60)
    send_max_attempts: int = Field(6, ge=1, le=50)
    send_retry_base_seconds: float = Field(30, ge=0)
    sla_poll_seconds: float = Field(30, gt=0, le=3600)

    def insecure_settings(self) -> list[str]:
        problems = super().insecure_settings()
        if not self.client_secret and not self.customer_api_token:
            problems.append("CLIENT_SECRET is needed to fetch contact details from the customer service")
        for name, value, dev in (("SMS_ACCESS_KEY_SECRET", self.sms_access_key_secret, "dev-access-secret"),
                                 ("WECHAT_APP_SECRET", self.wechat_app_secret, "dev-secret"),
                                 ("WECOM_CORP_SECRET", self.wecom_corp_secret, "dev-corp-secret")):
            if value == dev:
                problems.append(f"{name} must be the provider's real secret")
        return problems
