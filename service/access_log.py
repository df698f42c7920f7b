"""The access log never holds a secret: key-like query parameters are masked.

Keys are accepted only in headers, but a client may still put one in the URL
(`?api_key=...`); the request is refused, and the log line keeps the name, not the value.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"

# Parameter names that carry credentials in the wild (case-insensitive; `_` or `-` inside).
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:api[_-]?key|x[_-]api[_-]key|key|token|access[_-]?token|auth|authorization"
    r"|password|passwd|secret|session)=)[^&;#\s\"]*"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with the values of key-like query parameters replaced."""
    return _SECRET_PARAM.sub(rf"\g<1>{REDACTED}", text)


class RedactQuerySecrets(logging.Filter):
    """Masks key-like query parameters in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQuerySecrets) for f in logger.filters):
        logger.addFilter(RedactQuerySecrets())
