"""A circuit breaker per upstream service: stop sending to a service that keeps failing, probe it later."""

from dataclasses import dataclass


@dataclass
class CircuitBreaker:
    """closed -> (failures in a row) -> open -> (after open_seconds) half-open: one probe -> closed or open."""

    failures_to_open: int
    open_seconds: float
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    def state(self, now: float) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if now - self.opened_at >= self.open_seconds else "open"

    def allow(self, now: float) -> bool:
        """May a request go out now? In half-open only one probe goes at a time."""
        state = self.state(now)
        if state == "closed":
            return True
        if state == "half_open" and not self.probing:
            self.probing = True
            return True
        return False

    def retry_after(self, now: float) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.open_seconds - (now - self.opened_at))

    def succeeded(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def failed(self, now: float) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.failures_to_open:
            self.opened_at, self.probing = now, False
