"""The compose files: valid against the Compose Specification, and a stack that is safe to run
(healthchecks, ordered start-up, restarts, limits, no published stores, no committed secrets)."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from core.config import get_settings
from deploy.env_example import variables as setting_variables
from tests.deploy.stack import COMPOSE, COMPOSE_FILES, REPO, compose_schema, load, variables

STORES = ("qdrant", "postgres", "redis")
SECRET = re.compile(r"PASSWORD|API_KEY|SECRET|TOKEN|REDIS_URL|DB__URL", re.IGNORECASE)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_file_follows_the_specification(
    path: Path, validator: jsonschema.protocols.Validator
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load(path))]
    assert not errors, "\n".join(errors)


def test_the_schema_refuses_what_compose_refuses(validator: jsonschema.protocols.Validator) -> None:
    # The check can fail: a misspelt key and a bad healthcheck field are errors.
    assert not validator.is_valid({"services": {"api": {"imagex": "x"}}})
    bad = {"services": {"api": {"image": "x", "healthcheck": {"intervall": "5s"}}}}
    assert not validator.is_valid(bad)


def test_every_service_is_healthchecked_restarted_and_limited() -> None:
    services = load(COMPOSE)["services"]
    assert {"qdrant", "postgres", "redis", "api", "worker", "ui", "caddy"} <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name}: no healthcheck"
        assert service.get("restart") in ("unless-stopped", "always"), f"{name}: no restart"
        if name in ("api", "worker", "worker-gpu", "ui"):
            assert service["cap_drop"] == ["ALL"], f"{name} keeps capabilities"
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert {"cpus", "memory"} <= set(limits), f"{name}: no resource limits"


def test_services_wait_for_what_they_need_to_be_healthy() -> None:
    services = load(COMPOSE)["services"]
    for name, service in services.items():
        for needed, how in service.get("depends_on", {}).items():
            assert how == {"condition": "service_healthy"}, f"{name} → {needed}: {how}"
            assert services[needed].get("healthcheck"), f"{name} waits on unchecked {needed}"
    for app in ("api", "worker"):
        assert set(STORES) <= set(services[app]["depends_on"])
    assert "api" in services["ui"]["depends_on"]
    assert "api" in services["worker"]["depends_on"]  # the API creates the schema first


def test_stores_are_not_published_and_sit_on_an_internal_network() -> None:
    compose = load(COMPOSE)
    for store in STORES:
        service = compose["services"][store]
        assert "ports" not in service, f"{store} is published"
        assert service["networks"] == ["data"]
    assert compose["networks"]["data"]["internal"] is True
    for name, service in compose["services"].items():
        for port in service.get("ports", []):  # the apps: this host only; the proxy: public
            assert name == "caddy" or str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_the_gpu_worker_is_optional_and_asks_for_a_gpu() -> None:
    services = load(COMPOSE)["services"]
    gpu, cpu = services["worker-gpu"], services["worker"]
    assert gpu["profiles"] == ["gpu"] and "profiles" not in cpu
    assert gpu["command"] == cpu["command"] and gpu["healthcheck"] == cpu["healthcheck"]
    assert gpu["stop_grace_period"] == cpu["stop_grace_period"]
    assert gpu["build"]["args"]["TORCH_VARIANT"].startswith("${TORCH_VARIANT:-cu")
    assert gpu["image"] != cpu["image"]  # a CUDA build must not overwrite the CPU image's tag
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert gpu["environment"]["WATERCOOLER_EMBEDDING__DEVICE"] == "cuda"


def test_the_proxy_is_optional_and_its_caddyfile_is_in_the_repository() -> None:
    caddy = load(COMPOSE)["services"]["caddy"]
    assert caddy["profiles"] == ["proxy"]
    sources = [v.split(":")[0] for v in caddy["volumes"] if v.startswith("./")]
    assert sources and all((REPO / s).is_file() for s in sources)
    text = (REPO / "deploy/Caddyfile").read_text(encoding="utf-8")
    upstreams = re.findall(r"name (\w+)\s+port (\d+)", text)
    assert upstreams == [("api", "8000"), ("ui", "8501")]
    assert "tls {$CADDY_TLS}" in text and "{$DOMAIN}" in text


def test_volumes_are_named_and_declared() -> None:
    compose = load(COMPOSE)
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("./", "$")):
                assert source in declared, f"{name}: volume {source} is not declared"


def test_secrets_come_from_the_env_file_never_from_the_compose_file() -> None:
    for path in COMPOSE_FILES:
        for name, service in load(path)["services"].items():
            for key, value in (service.get("environment") or {}).items():
                if SECRET.search(key) and value:
                    assert "${" in str(value), f"{path.name} {name}: {key} is written in the file"
    api = load(COMPOSE)["services"]["api"]
    assert api["env_file"] == [{"path": ".env", "required": True}]
    assert ".env" in (REPO / ".gitignore").read_text(encoding="utf-8").split()


def test_the_api_runs_the_server_backend_with_keys() -> None:
    services = load(COMPOSE)["services"]
    env = services["api"]["environment"]
    assert env["WATERCOOLER_SERVICE__AUTH_MODE"] == "keys"
    assert env["WATERCOOLER_INDEX__BACKEND"] == "server"
    assert services["worker"]["command"] == ["python", "-m", "service", "worker"]
    assert "WATERCOOLER_INDEX__API_KEY" in env and "QDRANT__SERVICE__API_KEY" in str(
        services["qdrant"]["environment"]
    )
    # The UI gets no secrets: not the env file, only where the API is.
    assert services["ui"]["env_file"] == []
    assert not any(SECRET.search(k) for k in services["ui"]["environment"])


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_every_watercooler_variable_is_a_setting(path: Path) -> None:
    known = set(setting_variables())
    for name, service in load(path)["services"].items():
        for key in service.get("environment") or {}:
            if key.startswith("WATERCOOLER_"):
                assert key in known, f"{path.name} {name}: {key} is not a setting"


def test_the_cluster_example_has_three_nodes_and_a_valid_layout() -> None:
    cluster = load(REPO / "deploy/qdrant-cluster.compose.yml")["services"]
    nodes = [n for n in cluster if n.startswith("qdrant")]
    assert len(nodes) == 3
    for node in nodes:
        assert cluster[node]["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
        assert "--uri" in cluster[node]["command"]
    for joiner in ("qdrant-2", "qdrant-3"):
        assert "--bootstrap" in cluster[joiner]["command"]
        assert cluster[joiner]["healthcheck"]["test"]
    layout = cluster["api"]["environment"]
    settings = get_settings(
        index={k.removeprefix("WATERCOOLER_INDEX__").lower(): v for k, v in layout.items()}
    )
    assert settings.index.shard_number == 6 and settings.index.replication_factor == 2
    assert cluster["worker"]["environment"] == layout


def test_every_compose_variable_is_listed_in_env_example() -> None:
    listed = (REPO / ".env.example").read_text(encoding="utf-8")
    for path in COMPOSE_FILES:
        for name in variables(path):
            assert re.search(rf"^#? ?{name}=", listed, re.MULTILINE), f"{name} ({path.name})"
