"""The `jointcall` command: run the system embedded or as a full stack, and operate it."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from shared.http.auth import issue_token
from shared.logs import configure_logging
from shared.service import ServiceDefinition, migrate
from shared.settings import ServiceSettings, refuse_public_bind_with_development_secret

from .registry import SERVICES, service_named

API_SERVICE_ENV = "JOINTCALL_API_SERVICE"
OPENAPI_DIR = Path(__file__).resolve().parent.parent / "openapi"


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jointcall", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="embedded default: all four services in one process (SQLite, in-process bus)")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--data-dir", type=Path, default=None, help="default: JOINTCALL_DATA_DIR, else ./jointcall-data")
    up.set_defaults(run=_up)

    demo = commands.add_parser(
        "demo", help="run a whole joint call on the Alpine example through the APIs (embedded, or --url a stack)"
    )
    demo.add_argument("--proposals", type=_positive, default=300, help="how many consortia apply (default 300)")
    demo.add_argument("--seed", type=int, default=7, help="the same seed gives the same results")
    demo.add_argument("--out", type=Path, default=Path("./jointcall-demo"), help="where the result files go")
    demo.add_argument("--top", type=int, default=15, help="ranking lines to print (all are in ranking.csv)")
    demo.add_argument("--concurrency", type=_positive, default=8, help="requests in flight at a time")
    demo.add_argument("--data-dir", type=Path, default=None, help="embedded: keep the databases here (a new folder)")
    demo.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="[SERVICE=]URL",
        help="run against a running stack: call_definition=http://127.0.0.1:8001 (each service, repeatable), or "
        "one gateway URL routing /call-definition, /proposal-intake, ... (tokens from JOINTCALL_JWT_SECRET)",
    )
    demo.add_argument(
        "--code",
        default=None,
        help="the call's code (default ALP-DEMO-<seed>, with --url also a timestamp: codes are unique)",
    )
    demo.add_argument(
        "--from-s3",
        action="store_true",
        help="start the call from the best topic of the Alpine regions' S3 priorities (s3_strategy)",
    )
    demo.set_defaults(run=_demo)

    example = commands.add_parser("example-call", help="load the Alpine Space example call into a running jointcall")
    example.add_argument(
        "--url",
        default="http://127.0.0.1:8000/call-definition",
        help="base URL of call_definition (default: the embedded `jointcall up`)",
    )
    example.add_argument("--token", default=None, help="an agency token (default: issued with JOINTCALL_JWT_SECRET)")
    example.add_argument("--code", default=None, help="another code for the call (codes are unique)")
    example.add_argument("--open-now", action="store_true", help="move its dates so that it is open now")
    example.add_argument("--publish", action="store_true")
    example.set_defaults(run=_example_call)

    mig = commands.add_parser(
        "migrate", help="migrate a service's database (and declare its queues if a broker is set)"
    )
    mig.add_argument("service", help="a service name, or 'all'")
    mig.set_defaults(run=_migrate)

    api = commands.add_parser("api", help="full stack: serve one service's HTTP API")
    api.add_argument("service")
    api.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to serve beyond this machine (needs a JWT secret)")
    api.add_argument("--port", type=int, default=8000)
    api.add_argument("--workers", type=int, default=1)
    api.set_defaults(run=_api)

    portal = commands.add_parser("portal", help="full stack: serve the portal's pages (JOINTCALL_PORTAL_* settings)")
    portal.add_argument("--host", default="127.0.0.1")
    portal.add_argument("--port", type=int, default=8080)
    portal.set_defaults(run=_portal)

    worker = commands.add_parser("worker", help="full stack: run one service's consumers and outbox relay")
    worker.add_argument("service")
    worker.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus /metrics on this port")
    worker.set_defaults(run=_worker)

    token = commands.add_parser("token", help="issue a development bearer token, e.g. `jointcall token region:AT-4`")
    token.add_argument("role", help="agency | region:<code> | consortium:<id> | evaluator:<id>")
    token.add_argument("--subject", default=None)
    token.add_argument("--ttl-hours", type=float, default=12.0)
    token.set_defaults(run=_token)

    openapi = commands.add_parser("openapi", help="write openapi/<service>.json, or --check that they are current")
    openapi.add_argument("--check", action="store_true")
    openapi.add_argument("--out", type=Path, default=OPENAPI_DIR)
    openapi.set_defaults(run=_openapi)

    dead = commands.add_parser("dead-letters", help="list or replay parked messages of a service")
    dead.add_argument("action", choices=["list", "replay"])
    dead.add_argument("service")
    dead.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="embedded mode (the default without JOINTCALL_RABBITMQ_URL): the data folder of `jointcall up` "
        "(default: JOINTCALL_DATA_DIR, else ./jointcall-data)",
    )
    dead.set_defaults(run=_dead_letters)

    from .s3_strategy.cli import add_commands as add_s3_commands

    add_s3_commands(commands)
    return parser


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return number


def _settings(definition: ServiceDefinition, **overrides: object) -> ServiceSettings:
    return definition.settings_class(**overrides)  # type: ignore[arg-type]


def _chosen(name: str) -> list[ServiceDefinition]:
    return list(SERVICES.values()) if name == "all" else [service_named(name)]


# --- embedded ------------------------------------------------------------------------------------


def _up(args: argparse.Namespace) -> None:
    import uvicorn

    from .embedded import create_embedded_app

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    refuse_public_bind_with_development_secret(args.host, ServiceSettings().jwt_secret)
    # The same default as every other command (ServiceSettings.data_dir), so `dead-letters` finds `bus.db`.
    data_dir: Path = (args.data_dir or ServiceSettings().data_dir).resolve()
    for definition in SERVICES.values():
        migrate(definition, _settings(definition, data_dir=data_dir).database_url)
    print(f"jointcall is up on http://{args.host}:{args.port} (data in {data_dir}); API docs per service:")
    for definition in SERVICES.values():
        print(f"  http://{args.host}:{args.port}{definition.path_prefix}/docs")
    uvicorn.run(create_embedded_app(data_dir), host=args.host, port=args.port, log_config=None)


def _portal(args: argparse.Namespace) -> None:
    import uvicorn

    from .portal.app import create_app as create_portal_app

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    uvicorn.run(create_portal_app(), host=args.host, port=args.port, log_config=None)


def _require_demo() -> None:
    """The production image leaves the demo out (.dockerignore): say so instead of a traceback."""
    import importlib.util

    if importlib.util.find_spec("services.demo") is None:
        raise SystemExit("jointcall: the demo is not part of this installation (the production image leaves it out)")


def _demo(args: argparse.Namespace) -> None:
    _require_demo()
    from .demo import DemoError, Progress
    from .demo.report import FILES, render_files, text_report
    from .demo.runner import demo_embedded, demo_remote, parse_urls

    configure_logging("ERROR")  # the progress bars say what happens; the services' logs would drown them
    progress = Progress()
    options = {
        "proposals": args.proposals,
        "seed": args.seed,
        "progress": progress,
        "concurrency": args.concurrency,
        "from_s3": args.from_s3,
    }
    try:
        if args.url:
            urls = parse_urls(args.url)
            results = asyncio.run(demo_remote(urls, call_code=args.code, **options))
        else:
            results = asyncio.run(demo_embedded(data_dir=args.data_dir, call_code=args.code, **options))
    except (DemoError, ValueError) as exc:
        raise SystemExit(f"jointcall demo: {exc}") from None
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_files(results).items():
        (out / name).write_text(text, encoding="utf-8")
    print(text_report(results, top=args.top))
    print(f"written to {out}/: " + ", ".join(FILES))


def _example_call(args: argparse.Namespace) -> None:
    import httpx

    from .call_definition.examples import alpine_call

    if args.open_now:
        _require_demo()
        from .demo.call import alpine_call_body

        body = alpine_call_body(datetime.now(UTC))
    else:
        body = alpine_call()
    if args.code:
        body["code"] = args.code
    token = args.token or issue_token(ServiceSettings().jwt_secret, "agency")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=30) as client:
        response = client.post("/calls", json=body)
        if response.status_code == 201 and args.publish:
            response = client.post(f"/calls/{response.json()['id']}/publish")
    if response.status_code >= 400:
        raise SystemExit(f"{response.status_code}: {response.text}")
    call = response.json()
    print(f"call {call['code']} ({call['id']}) is {call['status']}, {len(call['configuration']['regions'])} regions")


# --- full stack -----------------------------------------------------------------------------------


def _migrate(args: argparse.Namespace) -> None:
    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    for definition in _chosen(args.service):
        settings = _settings(definition)
        migrate(definition, settings.database_url)
        if settings.rabbitmq_url:
            asyncio.run(_declare_queues(definition, settings))
        print(f"{definition.name}: migrated" + (" and queues declared" if settings.rabbitmq_url else ""))


async def _declare_queues(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    from shared.service import open_runtime

    runtime = open_runtime(definition, settings)
    bus = _rabbitmq_bus(settings)
    for subscription in definition.subscriptions(runtime):
        bus.subscribe(subscription)
    await bus.declare_topology()
    await runtime.engine.dispose()


def _rabbitmq_bus(settings: ServiceSettings):  # type: ignore[no-untyped-def]
    from shared.messaging.rabbitmq import RabbitMQBus

    assert settings.rabbitmq_url
    return RabbitMQBus(
        settings.rabbitmq_url,
        exchange=settings.exchange,
        queue_prefix=settings.queue_prefix,
        queue_type=settings.queue_type,
        prefetch=settings.prefetch,
        max_attempts=settings.max_delivery_attempts,
        retry_delay_ms=settings.retry_delay_ms,
    )


def _api(args: argparse.Namespace) -> None:
    import uvicorn

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    definition = service_named(args.service)
    refuse_public_bind_with_development_secret(args.host, _settings(definition).jwt_secret)
    os.environ[API_SERVICE_ENV] = definition.name
    uvicorn.run(
        "services.cli:api_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
    )


def api_app_from_env():  # type: ignore[no-untyped-def]
    """uvicorn's factory for `jointcall api` (it needs an import string to start several workers)."""
    from shared.service import build_app

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    definition = service_named(os.environ[API_SERVICE_ENV])
    return build_app(definition, _settings(definition))


def _worker(args: argparse.Namespace) -> None:
    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    definition = service_named(args.service)
    settings = _settings(definition)
    if args.metrics_port is not None:
        settings.metrics_port = args.metrics_port
    if not settings.rabbitmq_url:
        raise SystemExit("jointcall worker needs JOINTCALL_RABBITMQ_URL (the embedded mode is `jointcall up`)")
    asyncio.run(_run_worker(definition, settings))


async def _run_worker(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    from shared.service import Worker, open_runtime

    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port)  # its own thread: never blocks the event loop
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runtime = open_runtime(definition, settings)
    bus = _rabbitmq_bus(settings)
    worker = Worker(definition, runtime, bus)
    await bus.start(wait_s=120)
    print(f"{definition.name} worker running", file=sys.stderr, flush=True)
    try:
        await worker.run(stop)
    finally:
        await bus.close()
        await runtime.engine.dispose()


# --- operating ------------------------------------------------------------------------------------


def _token(args: argparse.Namespace) -> None:
    settings = ServiceSettings()
    try:
        print(
            issue_token(
                settings.jwt_secret,
                args.role,
                subject=args.subject,
                ttl_s=int(args.ttl_hours * 3600),
                algorithm=settings.jwt_algorithm,
            )
        )
    except ValueError as exc:
        raise SystemExit(f"jointcall token: {exc}") from None


def openapi_documents() -> dict[str, str]:
    from shared.service import build_app

    documents = {}
    for name, definition in SERVICES.items():
        app = build_app(definition, _settings(definition, database_url="sqlite+aiosqlite:///:memory:"))
        documents[name] = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    return documents


def _openapi(args: argparse.Namespace) -> None:
    out: Path = args.out
    stale = []
    for name, text in openapi_documents().items():
        path = out / f"{name}.json"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        raise SystemExit("OpenAPI documents out of date (run `jointcall openapi`): " + ", ".join(stale))


def _dead_letters(args: argparse.Namespace) -> None:
    definition = service_named(args.service)
    settings = _settings(definition, **({"data_dir": args.data_dir} if args.data_dir else {}))
    embedded = args.data_dir is not None or not settings.rabbitmq_url
    asyncio.run(_dead_letters_async(args.action, definition, settings, embedded=embedded))


async def _dead_letters_async(
    action: str, definition: ServiceDefinition, settings: ServiceSettings, *, embedded: bool
) -> None:
    """Embedded: the in-process bus in `<data dir>/bus.db` (as `jointcall up` keeps it), whose queues are
    the subscriptions' names; else RabbitMQ, whose queues carry the prefix (`<prefix>.<queue>.dead`)."""
    from shared.messaging.inprocess import InProcessBus
    from shared.service import open_runtime

    runtime = open_runtime(definition, settings)
    subscriptions = definition.subscriptions(runtime)
    try:
        if embedded:
            path = settings.data_dir / "bus.db"
            if not path.exists():
                raise SystemExit(f"jointcall dead-letters: no embedded bus at {path.resolve()} (see --data-dir)")
            bus = InProcessBus(path)
            try:
                for subscription in subscriptions:
                    if action == "list":
                        _print_letters(subscription.queue, await bus.dead_letters(subscription.queue))
                    else:
                        replayed = await bus.replay_dead_letters(subscription.queue)
                        print(f"{subscription.queue}: {replayed} message(s) replayed")
            finally:
                await bus.close()
        else:
            rabbit = _rabbitmq_bus(settings)
            for subscription in subscriptions:
                rabbit.subscribe(subscription)
            await rabbit.start(consume=False)
            try:
                for subscription in subscriptions:
                    queue = rabbit.queue_name(subscription)
                    if action == "list":
                        # Read and requeued, not consumed: see RabbitMQBus.dead_letters.
                        total = await rabbit.dead_letter_count(subscription)
                        _print_letters(f"{queue}.dead", await rabbit.dead_letters(subscription), total)
                    else:
                        print(f"{queue}: {await rabbit.replay_dead_letters(subscription)} message(s) replayed")
            finally:
                await rabbit.close()
    finally:
        await runtime.engine.dispose()


def _print_letters(queue: str, letters: list[dict[str, object]], total: int | None = None) -> None:
    """One line per queue, then one JSON line per parked message (event type, id, error, attempts, ...)."""
    total = len(letters) if total is None else max(total, len(letters))
    more = f", {total - len(letters)} more not shown" if total > len(letters) else ""
    print(f"{queue}: {total} parked message(s){more}")
    for letter in letters:
        print(json.dumps(letter, default=str))
