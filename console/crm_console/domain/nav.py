"""Which screens a signed-in user may open: a link to a screen its permissions refuse is not shown."""

from dataclasses import dataclass

from crm_contracts import permissions as p


@dataclass(frozen=True)
class Screen:
    key: str  # also the message key of its label: nav.<key>
    path: str
    needs: frozenset[str]


# In the order the header shows them. Later screens (task queue, surveys, KPIs, care plans) join here.
SCREENS = (
    Screen("home", "/console/", frozenset()),
    Screen("customers", "/console/customers", frozenset({p.CUSTOMERS_READ})),
    Screen("imports", "/console/imports", frozenset({p.CUSTOMERS_WRITE})),
    Screen("kpis", "/console/kpis", frozenset({p.KPIS_READ})),
    Screen("access_log", "/console/access-log", frozenset({p.PII_AUDIT})),
    Screen("surveys", "/console/surveys", frozenset({p.SURVEYS_READ})),
    Screen("segments", "/console/segments", frozenset({p.PROFILES_READ, p.SEGMENTS_WRITE})),
    Screen("admin", "/console/admin", frozenset({p.ADMIN})),
    Screen("tasks", "/console/tasks", frozenset({p.CARE_READ})),
    Screen("cases", "/console/cases", frozenset({p.CARE_READ})),
    Screen("care_setup", "/console/care", frozenset({p.CARE_READ, p.CARE_MANAGE})),
)


def visible_screens(granted: frozenset[str] | set[str]) -> list[Screen]:
    return [screen for screen in SCREENS if screen.needs <= granted]


def may_open(key: str, granted: frozenset[str] | set[str]) -> bool:
    return any(screen.key == key for screen in visible_screens(granted))
