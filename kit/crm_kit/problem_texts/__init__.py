"""The words of problem documents in each language we answer in (zh-CN, en), chosen by Accept-Language.

Pure lookups, no I/O: `crm_kit.problems` asks here for a title, a keyed detail and a field error's sentence.
"""

import re
from typing import Any, Literal

from crm_kit.problem_texts import zh_cn

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE: Language = "zh-CN"

# The English of the keyed details; English titles are the ones a Problem is raised with.
DETAILS_EN = {
    "invalid": "The request has invalid fields.",
    "not_found": "No such {what}.",
    "unstorable": "A value is out of the range or character set the system can store.",
    "database_unavailable": "The database is unavailable; retry shortly.",
    "unexpected": "Something went wrong on our side.",
    "precondition_required": "Send If-Match with the ETag you last read.",
    "precondition_failed": "The record changed since you read it; read it again.",
    "idempotency_key_reused": "This Idempotency-Key was used for a different request.",
    "merged": "This customer was merged into another.",
    "no_such_dealer": "No such dealer.",
    "no_route": "No service answers this path.",
}

# Services still raise some common details as plain English; these sentences are recognised and translated
# as if raised with their key. A reworded sentence falls back to English, never to a wrong text.
KEYS_OF_ENGLISH = {text: key for key, text in DETAILS_EN.items() if "{" not in text}
NOT_FOUND_EN = re.compile(r"No such ([\w -]+)\.")


def negotiate(accept_language: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The best of our languages for an Accept-Language header (RFC 9110 §12.5.4); `default` when none fits."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, Language]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = _quality(params)
        language = _ours(tag.strip().lower(), default)
        if language and quality > 0:
            ranked.append((quality, -position, language))
    return max(ranked)[2] if ranked else default


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _ours(tag: str, default: Language) -> Language | None:
    # Traditional-script tags still read Simplified better than English on a mainland dealer's screens.
    if tag == "zh" or tag.startswith("zh-"):
        return "zh-CN"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return default if tag == "*" else None


def title(status: int, english: str, language: Language) -> str:
    return zh_cn.TITLES.get(status, english) if language == "zh-CN" else english


def detail(key: str | None, params: dict[str, Any], english: str | None, language: Language) -> str | None:
    """A keyed detail in `language`; an unkeyed English one is looked up by its wording, else kept as is."""
    if key is None and english:
        key = KEYS_OF_ENGLISH.get(english)
        if key is None and (what := NOT_FOUND_EN.fullmatch(english)):
            key, params = "not_found", {"what": what.group(1)}
    if key is None:
        return english
    texts = zh_cn.DETAILS if language == "zh-CN" else DETAILS_EN
    template = texts.get(key) or DETAILS_EN.get(key)
    if template is None:
        return english
    return template.format_map(_Params(params))


class Worded(str):
    """An English sentence that also knows its error type and context, so it can be said in another language.

    A str, so every refusal list, log line and stored row that held the English keeps holding it."""

    kind: str
    ctx: dict[str, str]

    def __new__(cls, kind: str, english: str, ctx: dict[str, Any] | None = None) -> "Worded":
        text = super().__new__(cls, english)
        text.kind, text.ctx = kind, {name: _shown(value) for name, value in (ctx or {}).items()}
        return text

    def __reduce__(self):  # copy, deepcopy and pickle call __new__ with the arguments it needs
        return Worded, (self.kind, str.__str__(self), self.ctx)


class Invalid(ValueError):
    """A validator's refusal with a stable type, like pydantic_core.PydanticCustomError but a ValueError, so
    domain code without pydantic raises it and every `except ValueError` / `str(error)` still works.
    `template` is the English, with `{placeholders}` filled from `ctx`; zh_cn.FIELD_ERRORS has the Chinese."""

    def __init__(self, kind: str, template: str, **ctx: Any):
        self.reason = Worded(kind, template.format_map(_Params(ctx)), ctx)
        super().__init__(self.reason)

    def __str__(self) -> str:
        return self.reason

    def __reduce__(self):
        return type(self).again, (self.reason,)

    @classmethod
    def again(cls, reason: Worded) -> "Invalid":
        """The same refusal rebuilt from its reason (what copy and pickle need): no template to fill again."""
        invalid = cls.__new__(cls)
        ValueError.__init__(invalid, reason)
        invalid.reason = reason
        return invalid


def reason_of(error: dict[str, Any]) -> str:
    """A pydantic error's message as a Worded one: its own type, or the type a validator's Invalid carries."""
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, Invalid):
        return raised.reason
    ctx = {name: value for name, value in (error.get("ctx") or {}).items() if name != "error"}
    return Worded(error.get("type", ""), error["msg"], ctx)


def field_error(error: dict[str, Any], language: Language) -> str:
    """The sentence for one pydantic error: its own English message, or the Chinese one for its type."""
    english = error["msg"]
    if language != "zh-CN":
        return english
    kind = error.get("type", "")
    if kind == "value_error" and english.startswith("value is not a valid email address"):
        return zh_cn.EMAIL
    reason = reason_of(error)
    return said(reason.kind, reason.ctx, english, language)  # type: ignore[attr-defined]


def said(kind: str | None, ctx: dict[str, Any] | None, english: str, language: Language) -> str:
    """One error's sentence in `language`; a type without a Chinese template keeps its English."""
    template = zh_cn.FIELD_ERRORS.get(kind or "") if language == "zh-CN" else None
    if template is None:
        return english
    return template.format_map(_Params({name: _shown(value) for name, value in (ctx or {}).items()}))


def keyed(location: dict[str, Any], detail: str) -> dict[str, Any]:
    """An `errors` entry that keeps a Worded detail's type and context (for `entry` to word it later)."""
    if isinstance(detail, Worded):
        return {**location, "detail": detail, "type": detail.kind, "ctx": detail.ctx}
    return {**location, "detail": detail}


def entry(error: dict[str, Any], language: Language) -> dict[str, Any]:
    """An `errors` entry as a client sees it: its detail in `language`, type and context left out. Entries stored
    before errors carried a type show their English."""
    shown = {name: value for name, value in error.items() if name not in ("type", "ctx")}
    if "type" in error and isinstance(error.get("detail"), str):
        shown["detail"] = said(error["type"], error.get("ctx"), error["detail"], language)
    return shown


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value)
    return str(value)


class _Params(dict):
    """A missing parameter shows as its placeholder instead of failing the whole error response."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"
