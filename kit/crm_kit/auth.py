"""Token verification: every service checks the caller's token itself, so skipping the gateway gets nothing.

Tokens are JWTs signed by the gateway with an asymmetric key. A service knows the public keys from
configuration or from the gateway's JWKS, re-fetched when a token names a key id it has not seen.
"""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crm_contracts.permissions import ALL_DEALERS
from crm_kit.problems import Problem, field_error, invalid, not_found

ALGORITHMS = ["EdDSA", "ES256", "RS256"]
JWKS_REFRESH_SECONDS = 30  # at most one re-fetch per this many seconds, however many unknown key ids arrive
# Verifying an EdDSA signature was 13 % of a read's time, for the same few tokens again and again. A bounded
# LRU of tokens already verified, keyed by the whole token (any change to it is another entry), holds each
# only until it expires; a few thousand entries cover every caller active at once.
VERIFIED_TOKENS = 4096
CLOCK_LEEWAY_SECONDS = 30  # between the gateway's clock and ours


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    permissions: frozenset[str]
    dealers: frozenset[str]
    is_client: bool = False

    @property
    def all_dealers(self) -> bool:
        return ALL_DEALERS in self.dealers

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def sees(self, dealer_id: str) -> bool:
        return self.all_dealers or dealer_id in self.dealers

    def dealer_filter(self) -> frozenset[str] | None:
        """The dealers a query must be limited to; None means every dealer."""
        return None if self.all_dealers else self.dealers

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> "Principal":
        return cls(
            subject=str(claims["sub"]),
            roles=frozenset(claims.get("roles", ())),
            permissions=frozenset(str(claims.get("scope", "")).split()),
            dealers=frozenset(claims.get("dealers", ())),
            is_client=claims.get("typ") == "client",
        )


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenVerifier:
    def __init__(self, *, issuer: str, audience: str, public_key: str | None = None, jwks_url: str | None = None,
                 leeway: float = CLOCK_LEEWAY_SECONDS):
        self.issuer, self.audience, self.jwks_url, self.leeway = issuer, audience, jwks_url, leeway
        self._static_key = jwt.PyJWK.from_dict(_jwk_of_pem(public_key)) if public_key else None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()  # token -> (who, expires)

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires = cached
            if time.time() <= expires + self.leeway:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
            raise _unauthorized("The token has expired.")
        principal, expires = await self._verify_signed(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise _unauthorized("The token is malformed.") from error
        key = self._static_key or await self._key(header.get("kid"))
        try:
            claims = jwt.decode(token, key=key, algorithms=ALGORITHMS, audience=self.audience,
                                issuer=self.issuer, options={"require": ["exp", "iat", "sub"]}, leeway=self.leeway)
        except jwt.ExpiredSignatureError as error:
            raise _unauthorized("The token has expired.") from error
        except jwt.PyJWTError as error:
            raise _unauthorized("The token is not valid here.") from error
        return Principal.from_claims(claims), float(claims["exp"])

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        if kid not in self._keys and self.jwks_url:
            async with self._lock:
                if kid not in self._keys and time.monotonic() - self._fetched_at > JWKS_REFRESH_SECONDS:
                    await self._fetch_jwks()
        if kid not in self._keys:
            raise _unauthorized("The token was signed with an unknown key.")
        return self._keys[kid]

    async def _fetch_jwks(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self.jwks_url)
                response.raise_for_status()
        except httpx.HTTPError as error:
            raise Problem(503, "Service Unavailable", "The token keys cannot be fetched right now.",
                          headers={"Retry-After": "5"}) from error
        keys = jwt.PyJWKSet.from_dict(response.json()).keys
        self._keys = {key.key_id: key for key in keys if key.key_id}


def _jwk_of_pem(pem: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(pem.encode())
    for name in ALGORITHMS:
        try:
            return dict(jwt.get_algorithm_by_name(name).to_jwk(key, as_dict=True), alg=name)
        except (jwt.InvalidKeyError, TypeError, ValueError, AttributeError):
            continue
    raise ValueError("the configured JWT public key is not an Ed25519, P-256 or RSA key")


_bearer = HTTPBearer(auto_error=False, description="A token from the gateway's /auth/token")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Problem(401, "Unauthorized", "This needs a bearer token.", headers={"WWW-Authenticate": "Bearer"})
    return await request.app.state.token_verifier.verify(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def staff_member(principal: PrincipalDep) -> Principal:
    """A person's own things (their notifications, their password) need a person: a partner's client token
    carries no account, so it is refused rather than given an empty inbox."""
    if principal.is_client:
        raise Problem(403, "Forbidden", "This is a staff member's own; a client token has no account.")
    return principal


StaffDep = Annotated[Principal, Depends(staff_member)]


def require(*permissions: str):
    """A dependency that lets a request through only with every named permission."""

    async def check(principal: PrincipalDep) -> Principal:
        missing = [p for p in permissions if not principal.can(p)]
        if missing:
            raise Problem(403, "Forbidden", f"This needs the permission(s): {', '.join(missing)}.")
        return principal

    return Depends(check)


def check_dealer(principal: Principal, dealer_id: str, what: str = "resource") -> None:
    """Another dealer's record answers 404, as if it did not exist."""
    if not principal.sees(dealer_id):
        raise Problem(404, "Not Found", f"No such {what}.")


def write_dealer(principal: Principal, requested: str | None, where: str = "body") -> str:
    """Which dealer a write is for: the caller's only dealer, or the one named (and theirs).

    `where` names the parameter in the problem; a dealer named in the path is the dealer's own resource
    (e.g. its contact policy), so another dealer's answers 404, as if it did not exist.
    """
    if requested is None:
        if len(principal.dealers) == 1 and not principal.all_dealers:
            return next(iter(principal.dealers))
        raise invalid(field_error(where, "dealer_id", "required: you work for more than one dealer"))
    if not principal.sees(requested):
        if where == "path":
            raise not_found("dealer")
        raise Problem(403, "Forbidden", "You cannot act for this dealer.",
                      errors=[field_error(where, "dealer_id", "not one of your dealers")])
    return requested
