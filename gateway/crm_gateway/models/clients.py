"""What an administrator changes on an API client: disabling it (and enabling it again), its name and contact."""

from pydantic import ConfigDict, EmailStr
from sqlmodel import Field

from crm_gateway.models.base import Model
from crm_gateway.models.identity import ApiClientPublic


class ApiClientUpdate(Model):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = Field(None, description="false: the client_credentials grant refuses it at once; tokens "
                                                  "already issued stay valid until they expire "
                                                  "(`expires_in`, one hour by default)")
    name: str | None = Field(None, min_length=1, max_length=200)
    contact_email: EmailStr | None = None


class ApiClientSecretRotated(ApiClientPublic):
    client_secret: str = Field(description="The new secret, shown once; the old one is refused from now on")
