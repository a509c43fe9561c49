"""Typed errors that carry their HTTP status and become RFC 9457 problem+json responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

PROBLEM_BASE = "https://jointcall.eu/problems/"
# The members every problem has: a condition's own members (its `fields`) never reuse these names.
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "errors", "correlation_id"})


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the input, pointing at the field at fault (dotted path)."""

    field: str
    message: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        pointer = "#/" + "/".join(self.field.split(".")) if self.field else "#"
        return {"field": self.field, "pointer": pointer, "location": self.location, "message": self.message}


class ServiceError(Exception):
    """One condition a client can act on: its status, its problem `type` slug (PROBLEM_BASE + slug, stable: clients
    branch on it), its title, and the members (`fields`) its problem carries beside `detail`, given in `extra`.
    A condition is a subclass declaring these as class keywords (`class X(Conflict, slug=..., title=...)`), with
    its docstring for the body. Each service declares its own in `services/<service>/errors.py`; the ones here
    are the shared conditions and the bases (Conflict, NotFound...) those subclass, never raised bare for a
    condition of one service."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        fields: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        """The class keywords a condition gives; what it does not give it inherits (status, fields)."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if slug is not None:
            cls.slug = slug
        if title is not None:
            cls.title = title
        if fields is not None:
            cls.fields = fields
        clash = set(cls.fields) & RESERVED_MEMBERS
        if clash:
            raise TypeError(f"{cls.__name__}: {sorted(clash)} are members of every problem")

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}
        missing = [name for name in self.fields if name not in self.extra]
        if missing:  # a raise site that forgets what its problem type promises is a bug, found by its tests
            raise TypeError(f"{type(self).__name__} needs extra {missing}")


class BadRequest(ServiceError, status=400, slug="bad-request", title="Bad request"): ...


class Unauthenticated(ServiceError, status=401, slug="unauthenticated", title="Authentication required"):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="jointcall"'})


class Forbidden(ServiceError, status=403, slug="forbidden", title="Not allowed for this role"): ...


class RoleNotAllowed(
    Forbidden, slug="role-not-allowed", title="The token's role may not do this", fields=("allowed_roles",)
):
    """The token's role may not use this operation: `allowed_roles` are those that may (get a token of one)."""


class NotFound(ServiceError, status=404, slug="not-found", title="Not found"): ...


class Conflict(ServiceError, status=409, slug="conflict", title="Conflict with the current state"): ...


class PreconditionFailed(
    ServiceError,
    status=412,
    slug="precondition-failed",
    title="The resource changed since it was read",
    fields=("etag",),
): ...


class PreconditionRequired(ServiceError, status=428, slug="precondition-required", title="If-Match is required"): ...


class DeadlinePassed(Conflict, slug="deadline-passed", title="The deadline has passed", fields=("server_time",)): ...


class ValidationFailed(ServiceError, status=422, slug="validation-error", title="The request is not valid"): ...


class NotYetKnown(
    ServiceError, status=503, slug="not-yet-known", title="Not known here yet: retry shortly", fields=("retry_after_s",)
):
    """Something that exists elsewhere has not reached this service's copy yet (its event is on its way, and the
    owner could not be asked): retry after `Retry-After` seconds. Never a 404 for something that exists."""

    def __init__(self, detail: str, *, retry_after_s: int = 2) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)}, extra={"retry_after_s": retry_after_s})


class IdempotencyKeyReused(
    ServiceError, status=422, slug="idempotency-key-reused", title="The Idempotency-Key was used for another payload"
):
    """The IETF idempotency-key draft: the same key with another payload is refused, never answered with the
    earlier request's result."""


class IdempotencyKeyAfterWithdrawal(
    Conflict, slug="idempotency-key-after-withdrawal", title="The Idempotency-Key's proposal was withdrawn since"
): ...


# The bases a service's condition subclasses: raised bare they would give the client a slug it cannot act on.
BASES_ONLY: tuple[type[ServiceError], ...] = (ServiceError, BadRequest, Conflict)


class RetryableError(Exception):
    """A handler could not process a message yet (e.g. it depends on an event not yet seen)."""


class PermanentError(Exception):
    """A message can never be processed (invalid payload): park it without retrying."""
