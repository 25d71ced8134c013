"""JSON logs that carry the service name and the request id of whatever caused them."""

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class _Context(logging.Filter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id.get()
        return True


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(service)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"}, timestamp="time",
        ))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(service)s %(name)s: %(message)s"))
    handler.addFilter(_Context(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quieter = max(logging.getLevelName(level), logging.WARNING)
    for chatty in ("aiokafka", "httpx"):  # per-request and per-reconnect lines; metrics count those
        logging.getLogger(chatty).setLevel(quieter)
