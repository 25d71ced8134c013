"""Segmentation explains a churn risk in English sentences of known shapes; the console shows them localised.

A sentence of an unknown shape is shown as it came, so a new reason is never lost, only untranslated.
"""

import re
from collections.abc import Callable

_PATTERNS = (
    (re.compile(r"^(?:(?P<model>.+): )?(?P<months>\d+) months since last service; "
                r"usual interval (?P<usual>\d+) months$"), "reason.overdue_service"),
    (re.compile(r"^P\(alive\) (?P<p_alive>[0-9.]+)$"), "reason.p_alive"),
    (re.compile(r"^first service missed$"), "reason.first_service_missed"),
    (re.compile(r"^(?P<count>\d+) first services missed$"), "reason.first_services_missed"),
)


def localised_reason(reason: str, translate: Callable[..., str]) -> str:
    for pattern, key in _PATTERNS:
        if found := pattern.match(reason):
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            return translate(key + ("_of_model" if "model" in values else ""), **values)
    return reason
