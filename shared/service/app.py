"""A service's API app: its routers behind the middleware every service has (body limits, metrics,
correlation ids, problem+json), with the health endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI

from shared.clock import Clock
from shared.errors import RoleNotAllowed, Unauthenticated, ValidationFailed
from shared.http.body_limit import BodyLimitMiddleware
from shared.http.correlation import CorrelationIdMiddleware
from shared.http.metrics import HttpMetricsMiddleware, metrics_endpoint
from shared.http.problems import document_problems, install_problem_handlers, problem_responses
from shared.settings import ServiceSettings

from .definition import Runtime, ServiceDefinition, open_runtime
from .health import health_router


def build_app(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    *,
    clock: Clock | None = None,
    runtime: Runtime | None = None,
    broker_check: bool = True,
) -> FastAPI:
    """The service's FastAPI app. With `runtime` given (embedded mode), the caller owns its lifetime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or open_runtime(definition, settings, clock)
        try:
            yield
        finally:
            if owned:
                await app.state.runtime.engine.dispose()

    app = FastAPI(
        title=f"jointcall {definition.title}",
        description=definition.description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=definition.tags or None,
        responses=problem_responses(
            [Unauthenticated, RoleNotAllowed, ValidationFailed],
            {401: "No or invalid bearer token", 403: "The token may not do this", 422: "Invalid input"},
        ),
    )
    app.state.settings = settings
    app.state.definition = definition
    if runtime is not None:
        app.state.runtime = runtime  # usable before (or without) the lifespan
    app.state.broker_check = broker_check and settings.rabbitmq_url is not None
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(HttpMetricsMiddleware, service=definition.name)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    install_problem_handlers(app)
    app.include_router(health_router)
    routers = definition.routers()
    document_problems(routers, definition.problems, app.router.responses)
    for router in routers:
        app.include_router(router)
    return app


class AppFactory(Protocol):
    def __call__(self, settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI: ...


def app_factory(definition: ServiceDefinition) -> AppFactory:
    """The service's `create_app`: its app on the settings given, or on those its environment sets."""

    def create_app(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
        return build_app(definition, settings or definition.settings_class(), clock=clock)

    return create_app
