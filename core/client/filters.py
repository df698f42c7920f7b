"""What a search or a question is narrowed to, as the client sends it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

_LIST_FIELDS = ("kinds", "sources", "people", "teams", "tags", "states")


class Filters(BaseModel):
    """What a search or a question is narrowed to; empty fields do not restrict."""

    kinds: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)  # moderation: verified, outdated, ...
    updated_from: date | None = None
    updated_to: date | None = None

    def body(self) -> dict[str, list[str] | str]:
        """As the `filters` object of POST /ask (empty fields left out)."""
        out: dict[str, list[str] | str] = {
            name: list(getattr(self, name)) for name in _LIST_FIELDS if getattr(self, name)
        }
        if self.updated_from:
            out["updated_from"] = f"{self.updated_from.isoformat()}T00:00:00Z"
        if self.updated_to:
            out["updated_to"] = f"{self.updated_to.isoformat()}T23:59:59Z"
        return out

    def query_params(self) -> list[tuple[str, str]]:
        """As repeated query-string parameters (GET /search, GET /experts)."""
        return [
            (name, item)
            for name, value in self.body().items()
            for item in ([value] if isinstance(value, str) else value)
        ]
