"""Every error leaves as RFC 9457 problem+json, validation errors with the field at fault."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import PROBLEM_BASE, FieldError, ServiceError
from shared.logs import correlation_id_var

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [error.as_dict() for error in errors]
    if extra:
        body.update(extra)
    correlation_id = correlation_id_var.get()
    if correlation_id:
        body["correlation_id"] = correlation_id
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
        errors.append(FieldError(field=".".join(path), message=str(error.get("msg", "invalid")), location=location))
    return errors


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


BodyCheck = Callable[[Any], list[FieldError]]
E = TypeVar("E", bound=Callable[..., Any])
_BODY_CHECK = "__jointcall_body_check__"


def with_body_check(check: BodyCheck) -> Callable[[E], E]:
    """On an endpoint whose body model judges field by field only: when the body fails that validation,
    `check(the raw body)` adds what it finds in the parts that are valid (e.g. a deadline before its opening),
    so that one answer lists every problem, not the field errors first and the rest on the next try."""

    def mark(endpoint: E) -> E:
        setattr(endpoint, _BODY_CHECK, check)
        return endpoint

    return mark


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _unsupported_media_type(request: Request, exc: RequestValidationError) -> JSONResponse | None:
    """A JSON body sent without saying so (no Content-Type, or text/plain) was never parsed: say that, not that
    the body is not a dictionary."""
    sent_a_body = exc.body not in (None, b"", "")
    about_the_body = any(tuple(error.get("loc", ()))[:1] == ("body",) for error in exc.errors())
    content_type = request.headers.get("content-type", "")
    if not (sent_a_body and about_the_body) or _is_json(content_type):
        return None
    return problem_response(
        request,
        status=415,
        slug="unsupported-media-type",
        title="The body must be JSON",
        detail=f"Send the body as application/json (Content-Type was {content_type or 'missing'}).",
        headers={"Accept": "application/json"},
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    unsupported = _unsupported_media_type(request, exc)
    if unsupported is not None:
        return unsupported
    errors = _field_errors(exc)
    check: BodyCheck | None = getattr(getattr(request.scope.get("route"), "endpoint", None), _BODY_CHECK, None)
    if check is not None:
        try:
            errors += [error for error in check(exc.body) if error not in errors]
        except Exception:  # the field errors still answer: a fault in a check must not turn a 422 into a 500
            logger.exception("the whole-body check of %s %s failed", request.method, request.url.path)
    detail = "; ".join(f"{e.field or e.location}: {e.message}" for e in errors[:5])
    return problem_response(
        request,
        status=422,
        slug="validation-error",
        title="The request is not valid",
        detail=detail,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {
        404: "not-found",
        405: "method-not-allowed",
        401: "unauthenticated",
        403: "forbidden",
        413: "payload-too-large",
    }.get(exc.status_code, "http-error")
    return problem_response(
        request,
        status=exc.status_code,
        slug=slug,
        title=str(exc.detail),
        detail=str(exc.detail),
        headers=dict(exc.headers or {}),
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="An unexpected error occurred; it has been logged with the correlation id.",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


# "POST /calls/{call_id}/publish" -> the problem types that operation may answer beyond those of every route.
RouteProblems = Mapping[str, Sequence[type[ServiceError]]]
_DECLARED = "__jointcall_declared_responses__"


def problem_example(error: type[ServiceError]) -> dict[str, Any]:
    """The problem+json of `error` as a client receives it, its own members shown as `...`."""
    return {
        "type": PROBLEM_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": "...",
        **dict.fromkeys(error.fields, "..."),
    }


def problem_responses(
    errors: Iterable[type[ServiceError]], leads: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these problem types: per status, the slugs in the description (after the status's
    lead sentence, if given) and one example each (named by its slug), so that a client sees every `type` it may
    branch on."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in sorted(set(errors), key=lambda e: (e.status, e.slug)):
        lead = (leads or {}).get(error.status, "")
        response = responses.setdefault(error.status, {"description": lead, "content": {PROBLEM_JSON: {}}})
        members = f" (with {', '.join(f'`{name}`' for name in error.fields)})" if error.fields else ""
        line = f"- `{error.slug}`: {error.title}{members}"
        response["description"] = f"{response['description']}\n{line}".strip()
        examples = response["content"][PROBLEM_JSON].setdefault("examples", {})
        examples[error.slug] = {"summary": error.title, "value": problem_example(error)}
    return responses


def document_problems(
    routers: Sequence[APIRouter], problems: RouteProblems, base: Mapping[int | str, Any] | None = None
) -> None:
    """Adds each operation's problem types (`"METHOD /path"` -> classes) to its routes' OpenAPI responses, after
    what the route (or `base`, the app's responses for every route) already says for that status. Call it before
    the routers are included; calling it again (another app of the same routers) gives the same result. A key
    naming no route is an error: the map stays true to the routes."""
    routes = {
        f"{method} {route.path}": route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    }
    unknown = sorted(set(problems) - set(routes))
    if unknown:
        raise ValueError(f"problem types declared for operations that do not exist: {unknown}")
    for key, errors in problems.items():
        route = routes[key]
        declared: dict[int | str, Any] | None = getattr(route, _DECLARED, None)
        if declared is None:  # the first time: what the route itself says, kept for the next app of these routers
            declared = dict(route.responses)
            setattr(route, _DECLARED, declared)
        responses = dict(declared)
        for status, documented in problem_responses(errors).items():
            present = declared.get(status) or (base or {}).get(status)
            responses[status] = documented if present is None else _merged(present, documented)
        route.responses = responses


def _merged(present: dict[str, Any], documented: dict[str, Any]) -> dict[str, Any]:
    media = {**present.get("content", {}).get(PROBLEM_JSON, {})}
    media["examples"] = {**media.get("examples", {}), **documented["content"][PROBLEM_JSON]["examples"]}
    before = present.get("description", "")
    gap = "\n" if before.rsplit("\n", 1)[-1].startswith("- ") else "\n\n"  # one list, not two
    return {
        **present,
        "description": f"{before}{gap}{documented['description']}".strip(),
        "content": {**present.get("content", {}), PROBLEM_JSON: media},
    }


def problem_table(errors: Iterable[tuple[type[ServiceError], str]]) -> str:
    """The README's table of problem types: slug, status, title, the members beyond `detail`, and where (a
    service, or `any service (shared)` for the kernel's)."""
    rows = ["| type (slug) | status | meaning | carries | raised by |", "|---|---|---|---|---|"]
    for error, where in sorted(errors, key=lambda pair: (pair[0].slug, pair[1])):
        carries = ", ".join(f"`{name}`" for name in error.fields) or "—"
        rows.append(f"| `{error.slug}` | {error.status} | {error.title} | {carries} | {where} |")
    return "\n".join(rows) + "\n"
