"""GET /people and GET /people/{id}: the directory, and a person's visible documents."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query

from core.index.base import SearchFilter
from core.schema import SourceKind
from service.deps import MAX_OFFSET, CallerDep, IndexDep, ManifestDep, PeopleDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.routes.documents import visible_successor
from service.schemas import PeoplePage, PersonProfile, ProfileDocument, Topic

router = APIRouter(tags=["people"])

MAX_PROFILE_DOCUMENTS = 200
MAX_TOPICS = 10


@router.get(
    "/people",
    response_model=PeoplePage,
    summary="List or search the people directory",
    description="Every word of `q` must appear in a person's name, email, aliases, team or "
    "title (case-insensitive); `team` must match exactly.",
    responses=ERROR_RESPONSES,
)
def list_people(
    caller: CallerDep,
    people: PeopleDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    team: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PeoplePage:
    """A page of people by name."""
    return PeoplePage(
        total=people.count(q, team),
        limit=limit,
        offset=offset,
        items=people.list(q, team, limit=limit, offset=offset),
    )


@router.get(
    "/people/{person_id}",
    response_model=PersonProfile,
    summary="A person's profile",
    description="The person, the documents they wrote or own that the caller may see "
    "(newest first), and their topics: the tags most frequent among those documents.",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "No such person"}},
)
def get_person(
    person_id: str,
    caller: CallerDep,
    people: PeopleDep,
    manifest: ManifestDep,
    index: IndexDep,
) -> PersonProfile:
    """A person with their visible documents and topics."""
    person = people.get(person_id)
    # The index answers "which documents of this person may the caller see" under the
    # caller's access filter, like every search.
    visible = SearchFilter(principals=[*caller.access()], people=[person_id])
    document_ids = index.facet("document_id", visible, limit=MAX_PROFILE_DOCUMENTS)
    entries = [e for d in document_ids if (e := manifest.get_document(d)) is not None]
    first_chunks = [e.chunk_ids[0] for e in entries if e.chunk_ids]
    tags = {
        str(hit.payload.get("document_id")): list(hit.payload.get("tags") or [])
        for hit in index.retrieve(first_chunks)
    }
    documents = [
        ProfileDocument(
            document_id=e.id,
            title=e.title,
            kind=SourceKind(e.kind),
            url=e.url,
            role="author" if person_id in e.author_ids else "owner",
            updated=e.updated,
            tags=tags.get(e.id, []),
            superseded_by=visible_successor(manifest, e, caller),
        )
        for e in entries
    ]
    documents.sort(key=lambda d: (d.updated is None, -(d.updated.timestamp() if d.updated else 0)))
    topics = Counter(tag for d in documents for tag in d.tags)
    return PersonProfile(
        person=person,
        documents=documents,
        topics=[Topic(tag=t, documents=n) for t, n in topics.most_common(MAX_TOPICS)],
    )
