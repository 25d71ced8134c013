"""What each screen reads from the gateway, one module per screen, each part tolerant of its service being down."""

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from crm_console.gateway import Forbidden, NotFound, Refused, Unavailable


@dataclass(frozen=True)
class Section:
    """One part of a page: its value, or why there is none (service down, or not the viewer's to see)."""

    value: Any = None
    unavailable: bool = False
    forbidden: bool = False

    @property
    def shown(self) -> bool:
        return not self.unavailable and not self.forbidden


async def section(call: Awaitable[Any], empty: Any = None) -> Section:
    """A signed-out answer still ends the session (it propagates); anything else stays in this section."""
    try:
        return Section(await call)
    except Forbidden:
        return Section(empty, forbidden=True)
    except NotFound:
        return Section(empty)
    except (Unavailable, Refused):
        return Section(empty, unavailable=True)


def skipped(empty: Any = None) -> Section:
    """A section the viewer's permissions rule out: not asked for at all."""
    return Section(empty, forbidden=True)
