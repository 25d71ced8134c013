"""The page texts per language, read once from `messages/<language>.json`."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from crm_survey.domain.templates import LANGUAGES

MESSAGES = Path(__file__).resolve().parent / "messages"
DEFAULT_LANGUAGE = "zh-CN"


@cache
def texts(language: str) -> dict[str, Any]:
    return json.loads((MESSAGES / f"{supported(language)}.json").read_text(encoding="utf-8"))


def supported(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str:
    """For a link that names no invitation: the browser's first choice between Chinese and English."""
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
