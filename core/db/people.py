"""The people directory: who exists, how to reach them, and a search over it."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select

from core.db.engine import Database, paginate, upsert
from core.db.tables import PersonRecord
from core.errors import NotFoundError
from core.schema import Person

log = logging.getLogger(__name__)

_UPSERT_BATCH = 500


class PeopleStore:
    """Reads and writes people; every method is one transaction and returns `Person`s."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def upsert_many(self, people: Iterable[Person]) -> int:
        """Insert or replace people by id; returns how many were written."""
        rows = {p.id: _row(p) for p in people}  # last one wins within the batch
        batch = builtins.list(rows.values())
        with self._db.session("upsert people") as session:
            for start in range(0, len(batch), _UPSERT_BATCH):
                upsert(session, PersonRecord, batch[start : start + _UPSERT_BATCH], keys=("id",))
        log.debug("people upserted", extra={"count": len(batch)})
        return len(batch)

    def get(self, person_id: str) -> Person:
        """The person with this id."""
        with self._db.session("get person") as session:
            record = session.get(PersonRecord, person_id)
            if record is None:
                raise NotFoundError(f"person {person_id!r} not found")
            return _person(record)

    def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        """People by id in one query; ids not stored are left out."""
        if not person_ids:
            return {}
        with self._db.session("get people") as session:
            rows = session.scalars(
                select(PersonRecord).where(PersonRecord.id.in_(set(person_ids)))
            ).all()
            return {row.id: _person(row) for row in rows}

    def by_email(self, email: str) -> Person | None:
        """The person with this email (case-insensitive), or None."""
        key = email.strip().lower()
        with self._db.session("get person by email") as session:
            record = session.scalars(
                select(PersonRecord)
                .where(func.lower(PersonRecord.email) == key)
                .order_by(PersonRecord.in_directory.desc(), PersonRecord.id)
                .limit(1)
            ).first()
            return _person(record) if record else None

    def teams(self) -> builtins.list[str]:
        """Every team name, sorted."""
        stmt = select(PersonRecord.team).where(PersonRecord.team.is_not(None)).distinct()
        with self._db.session("list teams") as session:
            return sorted(t for t in session.scalars(stmt) if t)

    def members(self, teams: builtins.list[str]) -> builtins.list[str]:
        """Ids of everyone in any of `teams`, in one query (a filter may name many teams)."""
        if not teams:
            return []
        stmt = select(PersonRecord.id).where(PersonRecord.team.in_(set(teams)))
        with self._db.session("list team members") as session:
            return builtins.list(session.scalars(stmt.order_by(PersonRecord.id)))

    def count(self, query: str | None = None, team: str | None = None) -> int:
        """How many people match (see `list`)."""
        stmt = select(func.count()).select_from(PersonRecord).where(*_filters(query, team))
        with self._db.session("count people") as session:
            return session.scalar(stmt) or 0

    def list(
        self, query: str | None = None, team: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[Person]:
        """A page of people by name; `query` words must each appear in name, email, alias,
        team or title (case-insensitive); `team` must match exactly."""
        stmt = (
            select(PersonRecord)
            .where(*_filters(query, team))
            .order_by(PersonRecord.name, PersonRecord.id)
        )
        with self._db.session("list people") as session:
            return [_person(r) for r in session.scalars(paginate(stmt, limit, offset))]


def _search_text(person: Person) -> str:
    fields = [person.name, person.email, *person.aliases, person.team, person.title]
    return "\n".join(f.casefold() for f in fields if f)


def _filters(query: str | None, team: str | None) -> builtins.list[ColumnElement[bool]]:
    filters = [
        PersonRecord.search_text.contains(word, autoescape=True)
        for word in (query or "").casefold().split()
    ]
    if team is not None:
        filters.append(PersonRecord.team == team)
    return filters


def _row(p: Person) -> dict[str, object]:
    return {**p.model_dump(), "search_text": _search_text(p)}


def _person(r: PersonRecord) -> Person:
    return Person(
        id=r.id,
        name=r.name,
        email=r.email,
        team=r.team,
        title=r.title,
        timezone=r.timezone,
        chat=r.chat,
        aliases=builtins.list(r.aliases),
        in_directory=r.in_directory,
    )
