"""Identity: dealers (tenants), staff users and their dealer memberships, API clients, refresh tokens."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, EmailStr, StringConstraints, WithJsonSchema, field_validator
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from crm_contracts.permissions import ALL_DEALERS
from crm_gateway.domain.roles import ROLES
from crm_gateway.models.base import Model

DEALER_ID = r"^[A-Z0-9][A-Z0-9-]{1,39}$"
USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"
CLIENT_ID = r"^[a-z0-9][a-z0-9._-]{2,63}$"

Role = Literal[tuple(ROLES)]  # type: ignore[valid-type]  # the enum follows the roles table
DealerRef = Annotated[str, StringConstraints(pattern=rf"{DEALER_ID}|^\*$")]
# "*" (every dealer) stands alone: said in the schema as one of two list shapes, checked by the validator below
# so that a refusal still points at /dealers.
Grant = Annotated[list[DealerRef], WithJsonSchema({
    "anyOf": [{"type": "array", "items": {"type": "string", "pattern": DEALER_ID}, "minItems": 1},
              {"type": "array", "items": {"const": ALL_DEALERS}, "minItems": 1, "maxItems": 1}],
    "description": 'Dealer ids, or ["*"] for every dealer'})]


def _every_dealer_alone(dealers: list[str] | None) -> list[str] | None:
    if dealers and ALL_DEALERS in dealers and len(dealers) > 1:
        raise ValueError('"*" stands alone')
    return dealers


def _now() -> datetime:
    return datetime.now(UTC)


def _texts(**kwargs) -> sa.Column:
    return sa.Column(postgresql.ARRAY(sa.Text), nullable=False, server_default="{}", **kwargs)


class Dealer(Model, table=True):
    __tablename__ = "dealers"

    id: str = Field(primary_key=True)
    name: str
    region: str | None = None
    group_name: str | None = None  # the dealer group (集团) that owns several stores
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))


class DealerCreate(Model):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="e.g. D-DEMO-001", schema_extra={"pattern": DEALER_ID})
    name: str = Field(min_length=1, max_length=200)
    region: str | None = Field(None, max_length=100)
    group_name: str | None = Field(None, max_length=200)


class DealerPublic(Model):
    id: str
    name: str
    region: str | None
    group_name: str | None
    created_at: datetime


class StaffUser(Model, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(unique=True)
    display_name: str | None = None
    password_hash: str
    roles: list[str] = Field(default_factory=list, sa_column=_texts())
    all_dealers: bool = False  # the carmaker's analysts and system administrators
    active: bool = True
    # Set when someone other than the user chose the password (an administrator, the demo logins).
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    version: int = 1  # raised by every administrator's change: the ETag an edit must name


class Membership(Model, table=True):
    __tablename__ = "memberships"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    dealer_id: str = Field(primary_key=True, foreign_key="dealers.id")


class UserCreate(Model):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(schema_extra={"pattern": USERNAME})
    password: str = Field(min_length=12, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    roles: list[Role] = Field(min_length=1)
    dealers: Grant = Field(min_length=1)

    _dealers = field_validator("dealers")(_every_dealer_alone)


class UserUpdate(Model):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(None, min_length=12, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    roles: list[Role] | None = Field(None, min_length=1)
    dealers: Grant | None = Field(None, min_length=1)
    active: bool | None = None

    _dealers = field_validator("dealers")(_every_dealer_alone)


class UserPublic(Model):
    id: uuid.UUID
    username: str
    display_name: str | None
    roles: list[str]
    dealers: list[str]
    active: bool
    must_change_password: bool
    created_at: datetime
    version: int


class Me(Model):
    """The signed-in user as the console shows it: who, which dealers, what they may do."""

    username: str
    display_name: str | None
    roles: list[str]
    permissions: list[str]
    dealers: list[str] = Field(description='Dealer ids, or ["*"] for every dealer')
    dealer_names: dict[str, str] = Field(description="Name of each dealer in `dealers`")
    must_change_password: bool = Field(description="A temporary password: the console asks for a new one first")


class PasswordChange(Model):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class ApiClient(Model, table=True):
    __tablename__ = "api_clients"

    client_id: str = Field(primary_key=True)
    name: str
    secret_hash: str
    scope: list[str] = Field(default_factory=list, sa_column=_texts())
    dealers: list[str] = Field(default_factory=list, sa_column=_texts())
    event_types: list[str] = Field(default_factory=list, sa_column=_texts())  # what its webhooks may receive
    contact_email: str | None = None  # told when a webhook subscription is disabled
    active: bool = True
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    version: int = 1  # raised by every administrator's change (disable, enable, secret rotation): the ETag


class ApiClientCreate(Model):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(schema_extra={"pattern": CLIENT_ID})
    name: str = Field(min_length=1, max_length=200)
    scope: list[str] = Field(default_factory=list)
    dealers: list[str] = Field(min_length=1)
    event_types: list[str] = Field(default_factory=list, description='Event types, or ["*"]')
    contact_email: EmailStr | None = None


class ApiClientPublic(Model):
    client_id: str
    name: str
    scope: list[str]
    dealers: list[str]
    event_types: list[str]
    contact_email: str | None
    active: bool
    created_at: datetime
    version: int


class ApiClientCreated(ApiClientPublic):
    client_secret: str = Field(description="Shown once; only its hash is kept")


class RefreshToken(Model, table=True):
    """Rotating refresh tokens: each use replaces the token; a second use of one revokes its whole family."""

    __tablename__ = "refresh_tokens"

    token_hash: str = Field(primary_key=True)
    family: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    revoked: bool = False
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))


class LoginThrottle(Model, table=True):
    """Failed logins in a row per account (username or client id) and source address, shared by every
    gateway replica. `account` "" counts the address's failures across every account."""

    __tablename__ = "login_throttle"

    account: str = Field(primary_key=True)
    address: str = Field(primary_key=True)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
