"""Signing tokens, publishing the public keys (JWKS) and rotating keys.

Rotation: start the gateway with the new key as GATEWAY_SIGNING_KEY and the old public key in
GATEWAY_RETIRED_PUBLIC_KEYS. New tokens carry the new key id; services find it in the JWKS (they re-fetch
on an unknown key id) and tokens signed by the retired key verify until they expire. Then drop it.
"""

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crm_kit.auth import TokenVerifier
from crm_kit.problems import Problem


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    kid: str

    @classmethod
    def from_pem(cls, pem: str | None) -> "SigningKey":
        private = (serialization.load_pem_private_key(pem.encode(), password=None) if pem
                   else Ed25519PrivateKey.generate())
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("GATEWAY_SIGNING_KEY must be an Ed25519 private key")
        return cls(private, key_id(private.public_key()))

    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwk(self) -> dict[str, Any]:
        return public_jwk(self.private.public_key())


def public_jwk(public: Ed25519PublicKey) -> dict[str, Any]:
    return {**json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public)), "kid": key_id(public), "alg": "EdDSA",
            "use": "sig"}


def key_id(public: Ed25519PublicKey) -> str:
    """RFC 7638 key thumbprint, so the key id is stable for the same key."""
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public))
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class Keyring:
    """The current signing key and the public keys of retired ones."""

    def __init__(self, current: SigningKey, retired_pems: list[str] = ()):
        self.current = current
        retired = [serialization.load_pem_public_key(pem.encode()) for pem in retired_pems]
        if not all(isinstance(key, Ed25519PublicKey) for key in retired):
            raise ValueError("GATEWAY_RETIRED_PUBLIC_KEYS must be Ed25519 public keys")
        self.jwks = {"keys": [current.jwk(), *(public_jwk(key) for key in retired)]}
        self.verification_keys = {key["kid"]: jwt.PyJWK.from_dict(key) for key in self.jwks["keys"]}


class KeyringVerifier(TokenVerifier):
    """The gateway checks tokens on its own routes with its own keys, without fetching its own JWKS."""

    def __init__(self, keyring: Keyring, *, issuer: str, audience: str):
        super().__init__(issuer=issuer, audience=audience)
        self.keyring = keyring

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        key = self.keyring.verification_keys.get(kid or "")
        if key is None:
            raise Problem(401, "Unauthorized", "The token was signed with an unknown key.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return key


def issue(key: SigningKey, *, subject: str, roles: list[str], scope: list[str], dealers: list[str],
          issuer: str, audience: str, ttl_seconds: int, kind: str = "user") -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "exp": now + ttl_seconds,
              "jti": uuid.uuid4().hex, "typ": kind, "roles": roles, "scope": " ".join(scope), "dealers": dealers}
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})


def new_refresh_token() -> tuple[str, str]:
    """An opaque refresh token and the hash that is stored instead of it."""
    token = "rt_" + secrets.token_urlsafe(32)
    return token, refresh_hash(token)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
