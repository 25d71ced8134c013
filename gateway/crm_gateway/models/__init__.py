from crm_gateway.models.clients import ApiClientSecretRotated, ApiClientUpdate
from crm_gateway.models.identity import (
    ApiClient,
    ApiClientCreate,
    ApiClientCreated,
    ApiClientPublic,
    Dealer,
    DealerCreate,
    DealerPublic,
    LoginThrottle,
    Me,
    Membership,
    PasswordChange,
    RefreshToken,
    StaffUser,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from crm_gateway.models.webhooks import (
    AttemptPublic,
    DeliveryAttempt,
    DeliveryPublic,
    ReplayRequest,
    Subscription,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    WebhookDelivery,
)

__all__ = ["ApiClient", "ApiClientCreate", "ApiClientCreated", "ApiClientPublic", "ApiClientSecretRotated",
           "ApiClientUpdate", "AttemptPublic", "Dealer", "DealerCreate",
           "DealerPublic", "DeliveryAttempt", "DeliveryPublic", "LoginThrottle", "Me", "Membership",
           "PasswordChange", "RefreshToken", "ReplayRequest", "StaffUser", "Subscription", "SubscriptionCreate",
           "SubscriptionCreated", "SubscriptionPublic", "UserCreate", "UserPublic", "UserUpdate", "WebhookDelivery"]
