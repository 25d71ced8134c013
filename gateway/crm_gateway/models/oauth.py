"""What the gateway answers as an OAuth 2.0 authorisation server: token responses and its public keys.

Failed grants are not modelled here: they stay problems carrying the RFC 6749 §5.2 `error` code.
"""

from typing import Literal

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 (and RFC 8693 §2.2.1 for token exchange). Absent fields are left out, not null."""

    access_token: str = Field(description="A JWT signed with a key of `/.well-known/jwks.json`")
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Seconds the access token stays valid")
    refresh_token: str | None = Field(None, description="For a staff sign-in: use once at `grant_type="
                                                        "refresh_token` for the next pair (rotating)")
    scope: str | None = Field(None, description="The granted permissions, space-separated")
    issued_token_type: str | None = Field(None, description="Token exchange only: the kind of token issued "
                                                            "(RFC 8693)")


class JsonWebKey(BaseModel):
    """A public key (RFC 7517 §4). The gateway signs with Ed25519 (`OKP`); the other members let clients
    read any key set, EC (`crv`, `x`, `y`) and RSA (`n`, `e`), with one model."""

    kty: Literal["OKP", "EC", "RSA"] = Field(description="Key type")
    crv: str | None = Field(None, description="Curve, for OKP and EC keys: Ed25519, P-256, ...")
    x: str | None = Field(None, description="Public key (OKP) or its x coordinate (EC), base64url")
    y: str | None = Field(None, description="EC only: the y coordinate, base64url")
    n: str | None = Field(None, description="RSA only: the modulus, base64url")
    e: str | None = Field(None, description="RSA only: the exponent, base64url")
    kid: str = Field(description="Key id, as in the `kid` header of the tokens it verifies")
    use: Literal["sig"]
    alg: str = Field(description="The JWS algorithm: EdDSA for the gateway's keys")


class JsonWebKeySet(BaseModel):
    """RFC 7517 §5: the current signing key first, then retired keys whose tokens may still be valid."""

    keys: list[JsonWebKey]
