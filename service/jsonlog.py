"""JSON logs (`service.log_format=json`): one object per line, with the record's `extra` fields.

    {"time": "2026-12-05T08:01:02.345Z", "level": "INFO", "logger": "service.components",
     "message": "service ready", "index": "edge", "auth_mode": "keys"}

Log collectors (Loki, Elasticsearch, CloudWatch) read the fields without parsing text.
uvicorn's own loggers go through the same handler.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_MARK = "_watercooler_json"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object (unserialisable extras as their repr)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=repr, ensure_ascii=False)


def use_json_logs(level: int = logging.INFO) -> None:
    """Send the root logger (and uvicorn's, through it) to stderr as JSON lines; idempotent."""
    root = logging.getLogger()
    if any(getattr(h, _MARK, False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
