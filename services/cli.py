"""The `jointcall` command: run the system embedded or as a full stack, and operate it."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.logs import configure_logging

if TYPE_CHECKING:
    from shared.service import ServiceDefinition
    from shared.settings import ServiceSettings

API_SERVICE_ENV = "JOINTCALL_API_SERVICE"
OPENAPI_DIR = Path(__file__).resolve().parent.parent / "openapi"
# The services' names, spelt out so that `--help` and `token` need not import the services (the registry is
# heavy: FastAPI, SQLAlchemy, Alembic); a test keeps this equal to services.registry.SERVICES.
SERVICE_NAMES = (
    "call_definition",
    "proposal_intake",
    "regional_eligibility",
    "joint_evaluation",
    "project_monitoring",
    "s3_strategy",
)
SERVICE_HELP = "the service: " + ", ".join(SERVICE_NAMES) + " (dashes work too: proposal-intake)"
EMBEDDED_URL = "http://127.0.0.1:8000"


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions keep their line breaks; every option with a default shows it, unless its help already says
    what happens without it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = "default" in text or action.default in (None, False, argparse.SUPPRESS, [])
        if shown or (action.option_strings == [] and action.nargs not in ("?", "*")):
            return text
        return f"{text} (default: %(default)s)"


def _command(commands: Any, name: str, summary: str, description: str = "") -> argparse.ArgumentParser:
    """A sub-command with a one-line summary (in `jointcall --help`) and a longer description (in its own)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + (".\n\n" + description if description else "."),
        formatter_class=_HelpFormatter,
    )
    return parser


def _listen_options(parser: argparse.ArgumentParser, port: int, *, note: str = "", host_note: str = "") -> None:
    """--host and --port of a command that serves HTTP: `note` goes before both helps, `host_note` after the
    host's."""
    parser.add_argument("--host", default="127.0.0.1", help=f"{note}address to listen on{host_note}")
    parser.add_argument("--port", type=int, default=port, help=f"{note}port to listen on")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jointcall",
        description=__doc__ + "\n\nEach command has its own help: jointcall COMMAND --help.",
        formatter_class=_HelpFormatter,
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    up = _command(
        commands,
        "up",
        "embedded default: every service and the portal in one process (SQLite files, in-process bus)",
        "Migrates every service's database in the data folder, then serves the services under their prefixes\n"
        "(/call-definition, /proposal-intake, ...) and the portal at /. Stop with Ctrl-C; the data stays.",
    )
    _listen_options(up, 8000, host_note=" (not loopback: needs JOINTCALL_JWT_SECRET)")
    up.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the databases and the bus (default: JOINTCALL_DATA_DIR, else ./jointcall-data)",
    )
    up.add_argument(
        "--sandbox",
        action="store_true",
        help="sandbox mode: an agency may move the clock forward (`jointcall clock`, POST /sandbox/clock), so a "
        "rehearsal passes its deadlines in seconds (default: off, or JOINTCALL_SANDBOX=true)",
    )
    up.set_defaults(run=_up)

    demo = _command(
        commands,
        "demo",
        "run a whole joint call on the Alpine Space example through the services' HTTP APIs",
        "Embedded by default (a new temporary data folder, removed afterwards, and a clock that jumps past the\n"
        "deadlines); with --url against a running stack, where the deadline is a real instant and the demo\n"
        "waits for it. The ranking and budget use go to stdout, the result files to --out, progress to stderr.\n"
        "--two-stage runs a two-stage call (pre-proposals, the shortlist under the regions' budgets, full\n"
        "proposals) and prints the oversubscription per region and both stages' numbers.",
    )
    demo.add_argument(
        "--proposals",
        "--consortia",
        dest="proposals",
        type=_positive,
        default=None,
        help="how many consortia apply (default 300; with --two-stage 500 pre-proposals)",
    )
    demo.add_argument(
        "--two-stage",
        action="store_true",
        help="embedded: a two-stage call (pre-proposals, stage-1 evaluation, the region-budget-aware shortlist, "
        "invitations, full proposals, then as a one-stage call), with the oversubscription per region",
    )
    demo.add_argument(
        "--factor",
        type=_factor,
        default=None,
        help="with --two-stage: one oversubscription factor for every region (default: the example's, 3 and "
        "CH-FR 2.5); a low one shows the caps at work on a small run",
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed: one seed gives the same results")
    demo.add_argument("--out", type=Path, default=Path("./jointcall-demo"), help="folder the result files go to")
    demo.add_argument("--top", type=int, default=15, help="ranking lines to print (all are in ranking.csv)")
    demo.add_argument("--concurrency", type=_positive, default=8, help="requests in flight at a time")
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="embedded: keep the databases in this new folder (default: a temporary folder, removed afterwards)",
    )
    demo.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="[SERVICE=]URL",
        help="run against a running stack: call_definition=http://127.0.0.1:8001 (each service, repeatable), or "
        "one gateway URL routing /call-definition, /proposal-intake, ... (tokens from JOINTCALL_JWT_SECRET; "
        "default: embedded)",
    )
    demo.add_argument(
        "--code",
        default=None,
        help="the call's code (default ALP-DEMO-<seed>, ALP-2STAGE-<seed> with --two-stage; with --url also a "
        "timestamp: codes are unique)",
    )
    demo.add_argument(
        "--from-s3",
        action="store_true",
        help="start the call from the best topic of the Alpine regions' S3 priorities (s3_strategy) instead of "
        "the example call (default: the example call)",
    )
    demo.add_argument(
        "--portal",
        action="store_true",
        help="embedded: after the demo, keep the system up with the finished call and open it in the portal at "
        "--host:--port (until Ctrl-C; the data is removed then unless --data-dir)",
    )
    _listen_options(demo, 8000, note="with --portal: ")
    demo.set_defaults(run=_demo)

    example = _command(
        commands,
        "example-call",
        "load the Alpine Space example call into a running jointcall (as a draft, or --publish)",
    )
    example.add_argument(
        "--url",
        default=f"{EMBEDDED_URL}/call-definition",
        help="base URL of call_definition (default: the embedded `jointcall up`, %(default)s)",
    )
    example.add_argument("--token", default=None, help="an agency token (default: issued with JOINTCALL_JWT_SECRET)")
    example.add_argument(
        "--code", default=None, help="another code for the call (default: the example's; codes are unique)"
    )
    example.add_argument(
        "--open-now", action="store_true", help="move its dates so that it is open now (default: the example's dates)"
    )
    example.add_argument("--publish", action="store_true", help="publish it too (default: leave it a draft)")
    example.set_defaults(run=_example_call)

    mig = _command(
        commands,
        "migrate",
        "full stack: migrate a service's database, and declare its queues if JOINTCALL_RABBITMQ_URL is set",
        "The database is JOINTCALL_<SERVICE>_DATABASE_URL (default: a SQLite file in JOINTCALL_DATA_DIR).",
    )
    mig.add_argument("service", metavar="SERVICE", help=SERVICE_HELP + ", or 'all'")
    mig.set_defaults(run=_migrate)

    api = _command(
        commands,
        "api",
        "full stack: serve one service's HTTP API (uvicorn)",
        "Reads JOINTCALL_<SERVICE>_DATABASE_URL and JOINTCALL_RABBITMQ_URL; run `jointcall migrate SERVICE` first\n"
        "and `jointcall worker SERVICE` beside it (the worker publishes what the api commits).",
    )
    api.add_argument("service", metavar="SERVICE", help=SERVICE_HELP)
    _listen_options(api, 8000, host_note="; 0.0.0.0 serves beyond this machine (needs JOINTCALL_JWT_SECRET)")
    api.add_argument("--workers", type=_positive, default=1, help="uvicorn worker processes sharing the port")
    api.set_defaults(run=_api)

    portal = _command(
        commands,
        "portal",
        "full stack: serve the portal's web pages",
        "It calls the services' APIs at JOINTCALL_PORTAL_API_BASE_URL (see the README for JOINTCALL_PORTAL_*).",
    )
    _listen_options(portal, 8080)
    portal.set_defaults(run=_portal)

    worker = _command(
        commands,
        "worker",
        "full stack: run one service's event consumers, outbox relay and clock jobs (needs JOINTCALL_RABBITMQ_URL)",
    )
    worker.add_argument("service", metavar="SERVICE", help=SERVICE_HELP)
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve Prometheus /metrics on this port (default: JOINTCALL_METRICS_PORT, else none)",
    )
    worker.set_defaults(run=_worker)

    token = _command(
        commands,
        "token",
        "issue development bearer tokens signed with JOINTCALL_JWT_SECRET, one per role",
        "Roles: agency | region:<code> | consortium:<applicant id> | evaluator:<id>.\n"
        "One role prints the bare token. Several roles print one line each, `ROLE TOKEN` (a space between;\n"
        "roles hold no spaces), in the order given; --json prints one object {ROLE: TOKEN} instead.\n"
        "Examples:  A=$(jointcall token agency)\n"
        "           jointcall token agency region:AT-4 consortium:acme | while read role token; do ...; done",
    )
    token.add_argument("roles", nargs="+", metavar="ROLE", help="a role, e.g. agency or region:AT-4 (one or more)")
    token.add_argument(
        "--subject", default=None, help="the token's subject (`sub`; default: the role itself, e.g. region:AT-4)"
    )
    token.add_argument("--ttl-hours", type=float, default=12.0, help="hours until the tokens expire")
    token.add_argument(
        "--json", action="store_true", help="print {ROLE: TOKEN} as one JSON object (default: text, see above)"
    )
    token.set_defaults(run=_token)

    clock = _command(
        commands,
        "clock",
        "show or move forward the clock of a sandbox (`jointcall up --sandbox`)",
        "Every service of the sandbox reads this clock: opening, deadline, due dates and reminders follow it.\n"
        "It only moves forward. Examples:  jointcall clock advance 2h   jointcall clock advance 3d12h\n"
        "                                  jointcall clock advance --to 2026-07-01T12:00:00+02:00",
    )
    clock_actions = clock.add_subparsers(required=True, metavar="ACTION")
    for name, summary in (("show", "print the sandbox's time"), ("advance", "move the sandbox's clock forward")):
        action = _command(clock_actions, name, summary)
        if name == "advance":
            action.add_argument(
                "duration",
                nargs="?",
                type=_duration,
                default=None,
                help="how far: days, hours, minutes, seconds such as 2h, 90m, 3d12h, 45s (or give --to)",
            )
            action.add_argument("--to", default=None, help="an instant with its offset to move to (or a duration)")
        action.add_argument("--url", default=EMBEDDED_URL, help="where the sandbox runs (`jointcall up --sandbox`)")
        action.add_argument("--token", default=None, help="an agency token (default: issued with JOINTCALL_JWT_SECRET)")
        action.set_defaults(run=_clock, action=name)

    openapi = _command(
        commands,
        "openapi",
        "write every service's OpenAPI document to openapi/<service>.json and the README's table of problem types, "
        "or --check them",
    )
    openapi.add_argument(
        "--check", action="store_true", help="only check that the files are current; exit 1 naming stale ones"
    )
    openapi.add_argument("--out", type=Path, default=OPENAPI_DIR, help="folder of the documents")
    openapi.set_defaults(run=_openapi)

    dead = _command(
        commands,
        "dead-letters",
        "list or replay a service's parked messages (RabbitMQ with JOINTCALL_RABBITMQ_URL, else the embedded bus)",
    )
    dead.add_argument("action", choices=["list", "replay"], help="list: show them; replay: put them back in the queue")
    dead.add_argument("service", metavar="SERVICE", help=SERVICE_HELP)
    dead.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="embedded mode (the default without JOINTCALL_RABBITMQ_URL): the data folder of `jointcall up` "
        "(default: JOINTCALL_DATA_DIR, else ./jointcall-data)",
    )
    dead.set_defaults(run=_dead_letters)

    from .s3_strategy.cli import add_commands as add_s3_commands

    add_s3_commands(commands, _command)
    return parser


def _duration(text: str) -> float:
    """`3d12h`, `2h`, `90m`, `45s` (parts in that order) -> seconds."""
    import re

    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text.strip())
    if not text.strip() or match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 2h, 90m, 3d12h or 45s")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} does not move the clock")
    return float(total)


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return number


def _factor(text: str) -> Decimal:
    """An oversubscription factor as the call takes it: above 0, at most 20, two decimals."""
    try:
        factor = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text} is not a number") from None
    if not factor.is_finite() or not 0 < factor <= 20 or factor != factor.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"{text}: a factor is above 0, at most 20, with at most two decimals")
    return factor


def _services() -> dict[str, ServiceDefinition]:
    from .registry import SERVICES

    return SERVICES


def service_named(name: str) -> ServiceDefinition:
    from .registry import service_named as named

    return named(name)


def _settings(definition: ServiceDefinition, **overrides: object) -> ServiceSettings:
    return definition.settings_class(**overrides)  # type: ignore[arg-type]


def _refuse_sandbox(settings: ServiceSettings, command: str) -> None:
    """The sandbox's movable clock exists only in the embedded default: on the full stack each process reads
    the real clock, and one that moved alone would judge deadlines differently from the others."""
    if settings.sandbox:
        raise SystemExit(
            f"jointcall {command}: JOINTCALL_SANDBOX is set, but the sandbox (a clock an agency moves forward) is "
            "only for the embedded default: `jointcall up --sandbox`. Unset it on the full stack."
        )


def _chosen(name: str) -> list[ServiceDefinition]:
    return list(_services().values()) if name == "all" else [service_named(name)]


# --- embedded ------------------------------------------------------------------------------------


def _up(args: argparse.Namespace) -> None:
    import uvicorn

    from shared.service import migrate
    from shared.settings import ServiceSettings, refuse_public_bind_with_development_secret

    from .embedded import create_embedded_app

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    refuse_public_bind_with_development_secret(args.host, ServiceSettings().jwt_secret)
    # The same default as every other command (ServiceSettings.data_dir), so `dead-letters` finds `bus.db`.
    data_dir: Path = (args.data_dir or ServiceSettings().data_dir).resolve()
    for definition in _services().values():
        migrate(definition, _settings(definition, data_dir=data_dir).database_url)
    sandbox = args.sandbox or ServiceSettings().sandbox
    mode = "; SANDBOX: the clock moves on at POST /sandbox/clock" if sandbox else ""
    print(f"jointcall is up on http://{args.host}:{args.port} (data in {data_dir}{mode}); API docs per service:")
    for definition in _services().values():
        print(f"  http://{args.host}:{args.port}{definition.path_prefix}/docs")
    app = create_embedded_app(data_dir, sandbox=True) if sandbox else create_embedded_app(data_dir)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None)


def _portal(args: argparse.Namespace) -> None:
    import uvicorn

    from .portal.app import create_app as create_portal_app

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    uvicorn.run(create_portal_app(), host=args.host, port=args.port, log_config=None)


ONE_STAGE_CONSORTIA, TWO_STAGE_CONSORTIA = 300, 500


def _require_demo() -> None:
    """The production image leaves the demo out (.dockerignore): say so instead of a traceback."""
    import importlib.util

    if importlib.util.find_spec("services.demo") is None:
        raise SystemExit("jointcall: the demo is not part of this installation (the production image leaves it out)")


def _demo(args: argparse.Namespace) -> None:
    import asyncio

    _require_demo()
    from .demo import DemoError, Progress
    from .demo.runner import demo_embedded, demo_remote, parse_urls

    configure_logging("ERROR")  # the progress bars say what happens; the services' logs would drown them
    progress = Progress()
    default_consortia = TWO_STAGE_CONSORTIA if args.two_stage else ONE_STAGE_CONSORTIA
    options = {
        "proposals": args.proposals or default_consortia,
        "seed": args.seed,
        "progress": progress,
        "concurrency": args.concurrency,
        "from_s3": args.from_s3,
    }
    try:
        if args.factor is not None and not args.two_stage:
            raise ValueError("--factor is the shortlist's: it goes with --two-stage")
        if args.url:
            if args.two_stage:
                raise ValueError(
                    "--two-stage runs on the embedded default (its clock jumps the weeks between the "
                    "stages): it takes no --url"
                )
            if args.portal:
                raise ValueError("--portal keeps the embedded system up after the demo: it takes no --url")
            urls = parse_urls(args.url)
            results = asyncio.run(demo_remote(urls, call_code=args.code, **options))
        else:
            then = None
            if args.portal:
                from shared.settings import ServiceSettings, refuse_public_bind_with_development_secret

                from .demo.serve import serve_portal

                refuse_public_bind_with_development_secret(args.host, ServiceSettings().jwt_secret)
                report = serve_portal(args.host, args.port, functools.partial(print, flush=True))

                async def then(app: Any, client: Any, results: Any) -> None:
                    _write_demo_results(results, args.out, args.top)
                    await report(app, client, results)

            results = asyncio.run(
                demo_embedded(
                    data_dir=args.data_dir,
                    call_code=args.code,
                    two_stage=args.two_stage,
                    factor=args.factor,
                    then=then,
                    **options,
                )
            )
    except (DemoError, ValueError) as exc:
        raise SystemExit(f"jointcall demo: {exc}") from None
    except KeyboardInterrupt:
        return
    if not args.portal:
        _write_demo_results(results, args.out, args.top)


def _write_demo_results(results: Any, out: Path, top: int) -> None:
    from .demo.report import FILES, render_files, text_report

    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_files(results).items():
        (out / name).write_text(text, encoding="utf-8")
    print(text_report(results, top=top))
    print(f"written to {out}/: " + ", ".join(FILES), flush=True)


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
    from shared.tokens import issue_token, token_settings_from_environment

    secret, algorithm = token_settings_from_environment()
    token = args.token or issue_token(secret, "agency", algorithm=algorithm)
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
    import asyncio

    from shared.service import migrate

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    for definition in _chosen(args.service):
        settings = _settings(definition)
        _refuse_sandbox(settings, "migrate")
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

    from shared.settings import refuse_public_bind_with_development_secret

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    definition = service_named(args.service)
    _refuse_sandbox(_settings(definition), "api")
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
    import asyncio

    configure_logging(os.environ.get("JOINTCALL_LOG_LEVEL", "INFO"))
    definition = service_named(args.service)
    settings = _settings(definition)
    _refuse_sandbox(settings, "worker")
    if args.metrics_port is not None:
        settings.metrics_port = args.metrics_port
    if not settings.rabbitmq_url:
        raise SystemExit("jointcall worker needs JOINTCALL_RABBITMQ_URL (the embedded mode is `jointcall up`)")
    asyncio.run(_run_worker(definition, settings))


async def _run_worker(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    import asyncio
    import signal

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
    """Only the standard library: issuing a token must not wait for FastAPI, SQLAlchemy or pydantic to load."""
    from shared.tokens import issue_token, token_settings_from_environment

    secret, algorithm = token_settings_from_environment()
    tokens: dict[str, str] = {}
    try:
        for role in args.roles:
            tokens[role] = issue_token(
                secret, role, subject=args.subject, ttl_s=int(args.ttl_hours * 3600), algorithm=algorithm
            )
    except ValueError as exc:
        raise SystemExit(f"jointcall token: {exc}") from None
    if args.json:
        print(json.dumps(tokens))
    elif len(args.roles) == 1:
        print(tokens[args.roles[0]])
    else:
        print("\n".join(f"{role} {token}" for role, token in tokens.items()))


def _clock(args: argparse.Namespace) -> None:
    import httpx

    from shared.tokens import issue_token, token_settings_from_environment

    secret, algorithm = token_settings_from_environment()
    token = args.token or issue_token(secret, "agency", algorithm=algorithm)
    with httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        if args.action == "show":
            response = client.get("/sandbox/clock")
        else:
            if (args.duration is None) == (args.to is None):
                raise SystemExit("jointcall clock advance: give a duration (e.g. 2h) or --to INSTANT")
            body = {"seconds": args.duration} if args.duration is not None else {"to": args.to}
            response = client.post("/sandbox/clock", json=body)
    if response.status_code == 404:
        raise SystemExit(f"jointcall clock: no sandbox at {args.url} (start it with `jointcall up --sandbox`)")
    if response.status_code != 200:
        raise SystemExit(f"jointcall clock: {response.status_code} {response.json().get('detail', response.text)}")
    answer = response.json()
    print(f"sandbox time {answer['now']} ({answer['offset_s'] / 3600:.2f} h ahead of {answer['system_time']})")


def openapi_documents() -> dict[str, str]:
    from shared.service import build_app

    documents = {}
    for name, definition in _services().items():
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
    from .problem_types import README, readme_with_table

    readme = README.read_text(encoding="utf-8")
    if args.check:
        if readme_with_table(readme) != readme:
            stale.append(f"{README} (its table of problem types)")
    elif readme_with_table(readme) != readme:
        README.write_text(readme_with_table(readme), encoding="utf-8")
        print(f"wrote the table of problem types in {README}")
    if stale:
        raise SystemExit("OpenAPI documents out of date (run `jointcall openapi`): " + ", ".join(stale))


def _dead_letters(args: argparse.Namespace) -> None:
    import asyncio

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
