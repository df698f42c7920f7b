"""An OpenAPI-driven fuzz of every route (Schemathesis): valid and invalid requests alike must
never be answered with a 5xx or a traceback.

The service runs for real behind uvicorn on a loopback port, over the ingested test corpus,
with the eval routes mounted; requests carry an admin key so that every route is reached past
its role check. The default tier sends a few derandomized examples per operation; the `slow`
tier many more, and also starts eval runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Err
from schemathesis.schemas import BaseSchema

from core.embedding import Embedder
from eval.launcher import InProcessLauncher
from service.main import create_app
from tests.service.conftest import LiveServer, ingest, make_settings

# An eval run takes minutes: the default tier leaves out starting one.
EVAL_RUN = "/evals/runs"
AUTH_HEADERS = ("Authorization", "X-API-Key")
FEW, MANY = 20, 300  # examples per operation and generation mode


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[LiveServer]:
    """The service over its own ingested corpus, with eval routes, behind uvicorn."""
    settings = make_settings(tmp_path_factory.mktemp("fuzz-data"))
    ingest(settings, embedder)
    app = create_app(settings, embedder=embedder, evals=InProcessLauncher())
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def admin_headers(fuzzed: LiveServer) -> dict[str, str]:
    """An admin key for the fuzzer (open mode honours keys)."""
    _, key = fuzzed.components.keys.create("fuzzer", ["hr"], "admin", label="fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def api_schema(fuzzed: LiveServer) -> BaseSchema:
    """The service's own OpenAPI document, fetched from it."""
    return schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")


def fuzz(
    api_schema: BaseSchema,
    server: LiveServer,
    headers: dict[str, str],
    mode: GenerationMode,
    examples: int,
) -> tuple[int, list[str]]:
    """Send `examples` generated requests per operation; the number sent, and the failures."""
    sent = 0
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        if isinstance(result, Err):  # the service's own schema must load whole
            raise result.err()
        operation = result.ok()

        @settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # report, do not shrink (minutes)
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def one(case: Case) -> None:
            nonlocal sent
            sent += 1
            if case.headers:  # generated credentials would replace the admin key
                for name in AUTH_HEADERS:
                    case.headers.pop(name, None)
            response = case.call(base_url=server.url, headers=headers, timeout=60)
            assert response.status_code < 500, (case.as_curl_command(), response.text[:300])
            assert "Traceback" not in response.text and 'File "/' not in response.text

        try:
            one()
        except AssertionError as exc:
            failures.append(f"{operation.label}: {exc}")
        except Unsatisfiable:  # nothing to get wrong (no parameters, no body): nothing to send
            assert mode is GenerationMode.NEGATIVE, operation.label
    return sent, failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_route_answers_a_server_error(
    api_schema: BaseSchema,
    fuzzed: LiveServer,
    admin_headers: dict[str, str],
    mode: GenerationMode,
) -> None:
    subset = api_schema.exclude(method="POST", path=EVAL_RUN)
    sent, failures = fuzz(subset, fuzzed, admin_headers, mode, examples=FEW)
    assert not failures, "\n".join(failures)
    assert sent >= FEW * len(list(subset.get_all_operations())) // 2


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_route_answers_a_server_error_at_length(
    api_schema: BaseSchema,
    fuzzed: LiveServer,
    admin_headers: dict[str, str],
    mode: GenerationMode,
) -> None:
    _, failures = fuzz(api_schema, fuzzed, admin_headers, mode, examples=MANY)
    assert not failures, "\n".join(failures)
