"""Encryption of ID numbers at rest (AES-256-GCM) and the keyed hash that finds them for dedupe.

The key id is stored with each ciphertext so keys can rotate: new writes use the active key, old rows
stay readable while their key is configured. The lookup hash uses a key of its own that does not rotate
(rotating it would mean re-hashing every row), so the hash never reveals a number to whoever reads the table.
"""

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: bytes  # nonce + AES-GCM output


class Keyring:
    def __init__(self, keys: dict[str, bytes], active: str, lookup_key: bytes):
        if active not in keys:
            raise ValueError(f"the active PII key {active!r} is not among the configured keys")
        for key_id, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"PII key {key_id!r} must be 32 bytes (AES-256), base64-encoded")
        if len(lookup_key) < 32:
            raise ValueError("the PII lookup key must be at least 32 bytes, base64-encoded")
        self.keys, self.active, self.lookup_key = keys, active, lookup_key

    @classmethod
    def throwaway(cls) -> "Keyring":
        """For dev and tests only: data sealed with it is unreadable after a restart."""
        return cls({"dev": AESGCM.generate_key(bit_length=256)}, "dev", os.urandom(32))

    def seal(self, plaintext: str, context: str) -> Sealed:
        """`context` (e.g. the dealer id) is bound as associated data: a ciphertext copied to another
        record of another dealer does not decrypt."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        return Sealed(self.active, nonce + sealed)

    def open(self, sealed: Sealed, context: str) -> str:
        key = self.keys.get(sealed.key_id)
        if key is None:
            raise UnknownKey(f"PII key {sealed.key_id!r} is not configured")
        nonce, body = sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:]
        return AESGCM(key).decrypt(nonce, body, context.encode()).decode()

    def lookup_hash(self, normalised: str) -> str:
        return hmac.new(self.lookup_key, normalised.encode(), hashlib.sha256).hexdigest()
