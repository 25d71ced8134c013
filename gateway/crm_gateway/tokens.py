"""Signing tokens and publishing the public keys (JWKS)."""

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


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
        return cls(private, _thumbprint(public_jwk(private)))

    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwk(self) -> dict[str, Any]:
        return {**public_jwk(self.private), "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def public_jwk(private: Ed25519PrivateKey) -> dict[str, Any]:
    return json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 key thumbprint, so the key id is stable for the same key."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def issue(key: SigningKey, *, subject: str, roles: list[str], scope: list[str], dealers: list[str],
          issuer: str, audience: str, ttl_seconds: int, kind: str = "user") -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "exp": now + ttl_seconds,
              "jti": uuid.uuid4().hex, "typ": kind, "roles": roles, "scope": " ".join(scope), "dealers": dealers}
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
