"""The UI's settings: where the service is and how long to wait for it.

    WATERCOOLER_UI__SERVICE_URL       the service's base URL (default http://127.0.0.1:8000)
    WATERCOOLER_UI__TIMEOUT_S         timeout of ordinary calls, in seconds (default 15)
    WATERCOOLER_UI__ANSWER_TIMEOUT_S  time to wait for an answer (an LLM may be slow; default 180)
    WATERCOOLER_UI__FORWARD_TOKEN     behind a sign-in proxy that passes the user's token
                                      (Authorization: Bearer), sign in with it (default false)

The Ask page's example questions come from the service (GET /examples; core/examples.py).

Read from the environment when `get_ui_settings()` is called; nothing happens at import time.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SERVICE_URL = "http://127.0.0.1:8000"


class UISettings(BaseSettings):
    """Where the Watercooler service answers, and the client's timeouts."""

    model_config = SettingsConfigDict(env_prefix="WATERCOOLER_UI__", extra="ignore")

    service_url: str = DEFAULT_SERVICE_URL
    timeout_s: float = Field(15.0, gt=0)
    answer_timeout_s: float = Field(180.0, gt=0)
    forward_token: bool = False

    @field_validator("service_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.strip().rstrip("/") or DEFAULT_SERVICE_URL


def get_ui_settings() -> UISettings:
    """The settings from the environment."""
    return UISettings()
