"""Each operation documents the problem types it can answer: what its endpoint raises, directly or through the
functions it calls (followed by name through the service's and shared/'s modules), is in its ROUTE_PROBLEMS.
Generic types (not-found, validation-error, forbidden, and what every route documents) need no listing."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from services.registry import SERVICES
from shared.errors import (
    Forbidden,
    NotFound,
    RoleNotAllowed,
    ServiceError,
    Unauthenticated,
    ValidationFailed,
)

ROOT = Path(__file__).resolve().parents[3]
GENERIC = {NotFound, ValidationFailed, Forbidden, Unauthenticated, RoleNotAllowed, ServiceError}
GENERIC_SLUGS = {error.slug for error in GENERIC}  # CallNotKnownHere is a not-found
Function = tuple[str, str]  # (module, name)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@cache
def _index() -> dict[str, tuple[ast.Module, dict[str, tuple[str, str | None]]]]:
    """Per module: its tree and its names (local name -> (module, attribute or None for a module))."""
    index = {}
    for path in [*ROOT.joinpath("services").rglob("*.py"), *ROOT.joinpath("shared").rglob("*.py")]:
        if "migrations" in path.parts or "node_modules" in path.parts:
            continue
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names: dict[str, tuple[str, str | None]] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    names[alias.asname or alias.name] = (base, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name] = (alias.name, None)
        index[module] = (tree, names)
    return index


def _resolve(module: str, name: str) -> Function | None:
    """Where a name used in `module` is defined (following re-exports), if it is one of ours."""
    index = _index()
    seen = set()
    while (module, name) not in seen and module in index:
        seen.add((module, name))
        tree, names = index[module]
        if any(
            isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == name for n in tree.body
        ):
            return module, name
        if name not in names or names[name][1] is None:
            return None
        module, name = names[name][0], names[name][1]  # type: ignore[assignment]
        if f"{module}.{name}" in index:  # `from package import module`
            return None
    return None


def _function(function: Function) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    tree, _ = _index()[function[0]]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function[1]:
            return node
    return None


def _called(module: str, func: ast.expr) -> Function | None:
    if isinstance(func, ast.Name):
        return _resolve(module, func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):  # module.function
        target = _index()[module][1].get(func.value.id)
        if target is not None:
            name = target[0] if target[1] is None else f"{target[0]}.{target[1]}"
            if name in _index():
                return _resolve(name, func.attr)
    return None


def raised_by(function: Function) -> set[type[ServiceError]]:
    """The ServiceError classes `function` may raise: those it names (raised, built to be raised by a caller,
    passed to a helper that raises it), itself or through the functions it names (called, or handed on as a
    callback such as `asyncio.to_thread(check, ...)`)."""
    found: set[type[ServiceError]] = set()
    pending, seen = [function], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        node = _function(current)
        if node is None:
            continue
        for inner in ast.walk(node):
            if not (isinstance(inner, ast.Name | ast.Attribute) and isinstance(inner.ctx, ast.Load)):
                continue
            where = _called(current[0], inner)
            if where is None:
                continue
            if _function(where) is not None:
                pending.append(where)
                continue
            value = getattr(importlib.import_module(where[0]), where[1], None)
            if isinstance(value, type) and issubclass(value, ServiceError):
                found.add(value)
    return found


def _undocumented(service: str) -> tuple[list[str], list[str]]:
    """(what an operation raises but does not list, what it lists but cannot raise)."""
    definition = SERVICES[service]
    missing: list[str] = []
    stale: list[str] = []
    for router in definition.routers():
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            for method in sorted(route.methods):
                key = f"{method} {route.path}"
                documented = set(definition.problems.get(key, ()))
                raised = raised_by((route.endpoint.__module__, route.endpoint.__name__))
                needed = {e for e in raised if e.slug not in GENERIC_SLUGS}
                for error in sorted(needed - documented, key=lambda e: e.slug):
                    missing.append(f"{key}: {error.slug} ({error.__name__})")
                for error in sorted(documented - raised, key=lambda e: e.slug):
                    stale.append(f"{key}: {error.slug} ({error.__name__})")
    return missing, stale


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_operation_documents_the_problem_types_it_raises(service: str) -> None:
    missing, _ = _undocumented(service)
    assert not missing, "add to ROUTE_PROBLEMS:\n" + "\n".join(missing)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_operation_documents_a_problem_type_it_cannot_answer(service: str) -> None:
    _, stale = _undocumented(service)
    assert not stale, "remove from ROUTE_PROBLEMS (or the walk misses a path):\n" + "\n".join(stale)


def test_the_walk_follows_calls_into_use_cases_and_shared() -> None:
    """The finder itself: publish's route reaches CallNotDraft in its use case, the refusal of a NotFound deep in
    shared/ is seen too."""
    route = ("services.call_definition.api.routes", "post_publish")
    names = {error.__name__ for error in raised_by(route)}
    assert {"CallNotDraft", "NotFound", "ValidationFailed"} <= names
