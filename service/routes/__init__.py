"""The API's routers, one module per resource.

ask.py        POST /ask, POST /ask/stream
search.py     GET /search
experts.py    GET /experts
examples.py   GET /examples
documents.py  GET /documents/{id}
people.py     GET /people, GET /people/{id}
ingest.py     POST /ingest/jobs, GET /ingest/jobs, GET /ingest/jobs/{id}
feedback.py   POST /feedback
admin.py      POST /admin/keys, GET /admin/keys, DELETE /admin/keys/{id}
health.py     GET /health
"""

from fastapi import APIRouter

from service.routes import (
    admin,
    ask,
    documents,
    examples,
    experts,
    feedback,
    health,
    ingest,
    people,
    search,
)

ROUTERS: tuple[APIRouter, ...] = (
    ask.router,
    search.router,
    experts.router,
    examples.router,
    documents.router,
    people.router,
    feedback.router,
    ingest.router,
    admin.router,
    health.router,
)
