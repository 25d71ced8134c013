"""Aliyun SMS (dysmsapi 2017-05-25) RPC request signing, signature version 1.0 (HMAC-SHA1).

Per the provider's documentation: percent-encode every parameter name and value (RFC 3986: `~`
unescaped, space as %20, `*` as %2A), sort by name, join as `k=v&…`; the string to sign is
`METHOD&%2F&` + percent-encode(that); the signature is base64(HMAC-SHA1(secret + "&", string)).
"""

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

API_VERSION = "2017-05-25"


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(method: str, params: dict[str, str], access_key_secret: str) -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def send_sms_params(*, access_key_id: str, access_key_secret: str, phone: str, sign_name: str, template_code: str,
                    template_param: str, now: datetime | None = None, nonce: str | None = None,
                    region: str = "cn-hangzhou", method: str = "POST") -> dict[str, str]:
    """Every parameter of one SendSms call, `Signature` included."""
    params = {
        "AccessKeyId": access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": region,
        "SignName": sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": template_code,
        "TemplateParam": template_param,
        "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
    }
    params["Signature"] = signature(method, params, access_key_secret)
    return params


def mainland_number(e164: str) -> str:
    """Aliyun takes mainland numbers without the +86 prefix."""
    return e164[3:] if e164.startswith("+86") else e164.lstrip("+")
