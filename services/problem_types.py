"""Every problem type the services answer with (the ServiceError classes that name a condition), for the README's
table: `jointcall openapi` writes it between the README's markers, a test keeps the two equal."""

from __future__ import annotations

from pathlib import Path

from shared.errors import BASES_ONLY, ServiceError
from shared.http.problems import problem_table

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- problem-types:start -->", "<!-- problem-types:end -->"


def problem_types() -> dict[type[ServiceError], str]:
    """Each condition's class and where it is raised: a service's name, `sandbox`, or `shared` for the kernel's.
    A class without a slug of its own is a base (DocumentRefused), not a condition, as are the shared bases that
    are never raised bare (Conflict, BadRequest); ServiceError stays: it is the 500 of an unexpected error."""
    from . import sandbox
    from .registry import SERVICES

    for definition in SERVICES.values():
        definition.routers()  # imports the routes, hence every use case and the errors they raise
    del sandbox
    found: dict[type[ServiceError], str] = {}
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        error = pending.pop()
        pending.extend(error.__subclasses__())
        ours = error.__module__.split(".")[0] in ("services", "shared")  # not a test's own
        if ours and "slug" in vars(error) and (error is ServiceError or error not in BASES_ONLY):
            found[error] = _where(error)
    return found


def _where(error: type[ServiceError]) -> str:
    parts = error.__module__.split(".")
    if parts[0] == "services" and len(parts) > 1:
        return parts[1]
    return "any service (shared)"


def readme_table() -> str:
    """The table, one row per slug (a slug raised in several places lists them all)."""
    by_slug: dict[str, tuple[type[ServiceError], set[str]]] = {}
    for error, where in problem_types().items():
        _, places = by_slug.setdefault(error.slug, (error, set()))
        places.add(where)
    return problem_table((error, ", ".join(sorted(places))) for error, places in by_slug.values())


def readme_with_table(text: str) -> str:
    """The README's text with the current table between its markers."""
    head, found_start, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found_start and found_end):
        raise ValueError(f"the README has no {START} ... {END} section")
    return f"{head}{START}\n{readme_table()}{END}{tail}"
