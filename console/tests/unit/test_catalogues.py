"""Every text a page shows comes from the catalogues, in both languages."""

import re
from pathlib import Path

from crm_console.i18n import catalogue

PACKAGE = Path(__file__).resolve().parents[2] / "crm_console"
# t("home.title"); a prefix joined with a code (t("task_kind." ~ kind)) is checked by `term` at run time.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([A-Za-z_][\w.\-]*[\w\-])["']""")


def test_both_languages_have_the_same_keys_and_the_same_placeholders():
    zh, en = catalogue("zh-CN"), catalogue("en")
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_key_a_template_or_route_names_exists():
    used = set()
    for path in [*PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.py")]:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    for path in PACKAGE.rglob("*.py"):  # keys handed to the error page and forms as values
        used |= set(re.findall(r'"((?:error|signin|password|section)\.[a-z_]+)"', path.read_text()))
    missing = sorted(key for key in used if key not in catalogue("zh-CN") and not key.endswith(".html"))
    assert missing == []


def test_no_template_carries_chinese_or_english_words_of_its_own():
    for path in PACKAGE.rglob("*.html"):
        text = re.sub(r"{[{%#].*?[}%#]}", "", path.read_text(encoding="utf-8"), flags=re.S)
        words = re.sub(r"<[^>]+>", " ", text)
        assert not re.search(r"[\u4e00-\u9fff]", words), path.name
        assert not re.search(r"\b[A-Za-z]{4,}\b", words), (path.name, re.findall(r"\b[A-Za-z]{4,}\b", words)[:5])
