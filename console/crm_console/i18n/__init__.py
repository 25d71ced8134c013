"""Message catalogues (zh-CN first, en): every text a page shows comes from here, never from a template.

A catalogue is a flat JSON object of dotted keys to texts with `{name}` placeholders: `<language>.json` for
the shell (layout, sign-in, home, customers) and one file a screen in `<language>/`, merged over it. A key missing from
the reader's language falls back to zh-CN, then to the key itself, so a gap shows up instead of breaking.
"""

import json
from functools import cache
from pathlib import Path

from crm_console.settings import LANGUAGES

HERE = Path(__file__).resolve().parent


@cache
def catalogue(language: str) -> dict[str, str]:
    merged = json.loads((HERE / f"{language}.json").read_text(encoding="utf-8"))
    for screen in sorted((HERE / language).glob("*.json")):
        merged.update(json.loads(screen.read_text(encoding="utf-8")))
    return merged


class Translator:
    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self.messages = catalogue(self.language)
        self.fallback = catalogue(LANGUAGES[0])

    def __call__(self, key: str, **values) -> str:
        text = self.messages.get(key) or self.fallback.get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.messages

    def term(self, group: str, code: str | None) -> str:
        """A coded value (value type, lifecycle stage, status …) by its catalogue entry `<group>.<code>`."""
        if code is None or code == "":
            return "—"
        key = f"{group}.{code}"
        return self(key) if key in self.messages or key in self.fallback else code
