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
from crm_gateway.models.oauth import JsonWebKey, JsonWebKeySet, TokenResponse
from crm_gateway.models.roles import RolePublic
from crm_gateway.models.webhooks import (
    AttemptPublic,
    DeliveryAttempt,
    DeliveryPublic,
    ReplayQueued,
    ReplayRequest,
    Subscription,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    WebhookDelivery,
)

__all__ = ["ApiClient", "ApiClientCreate", "ApiClientCreated", "ApiClientPublic", "ApiClientSecretRotated",
           "ApiClientUpdate", "AttemptPublic", "Dealer", "DealerCreate",
           "DealerPublic", "DeliveryAttempt", "DeliveryPublic", "JsonWebKey", "JsonWebKeySet", "LoginThrottle", "Me",
           "Membership", "PasswordChange", "RefreshToken", "ReplayQueued", "ReplayRequest", "RolePublic", "StaffUser",
           "Subscription", "SubscriptionCreate", "SubscriptionCreated", "SubscriptionPublic", "TokenResponse",
           "UserCreate", "UserPublic", "UserUpdate", "WebhookDelivery"]
