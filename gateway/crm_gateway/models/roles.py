from pydantic import BaseModel, Field


class RolePublic(BaseModel):
    """A role staff users are given, as the admin screens list it."""

    role: str
    title: str = Field(description="The role's name at the dealers, in English and Chinese")
    permissions: list[str] = Field(description="The permissions it grants, sorted")
