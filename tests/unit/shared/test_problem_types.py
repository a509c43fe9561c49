"""Problem types: one class per condition with its own slug, documented per operation in the OpenAPI and in the
README's table, and never a bare Conflict raised for a service's condition."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi import APIRouter

from services.problem_types import README, problem_types, readme_table, readme_with_table
from services.registry import SERVICES
from shared.errors import BASES_ONLY, PROBLEM_BASE, Conflict, NotFound, ServiceError
from shared.http.problems import document_problems, problem_responses

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted([*ROOT.joinpath("services").rglob("*.py"), *ROOT.joinpath("shared").rglob("*.py")])
TYPES = problem_types()


def _raises(path: Path) -> list[tuple[int, str, ast.Call]]:
    """(line, class name, call) of every `raise Name(...)` / `raise module.Name(...)` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            found.append((node.lineno, name, node.exc))
    return found


def test_no_service_raises_a_bare_base_whose_slug_a_client_cannot_act_on() -> None:
    bare = {base.__name__ for base in BASES_ONLY}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} raises {name}"
        for path in SOURCES
        for line, name, _ in _raises(path)
        if name in bare
    ]
    assert not offenders, "raise the condition's own class (services/<service>/errors.py): " + "; ".join(offenders)


def test_every_raise_of_a_problem_type_with_members_gives_them() -> None:
    """Statically, what ServiceError's constructor checks at run time: the members a type promises are passed."""
    needing = {
        error.__name__
        for error in TYPES
        if error.fields and not any("__init__" in vars(c) for c in error.__mro__[: error.__mro__.index(ServiceError)])
    }
    offenders = [
        f"{path.relative_to(ROOT)}:{line} raises {name} without extra="
        for path in SOURCES
        for line, name, call in _raises(path)
        if name in needing and not any(keyword.arg == "extra" for keyword in call.keywords)
    ]
    assert not offenders, "; ".join(offenders)


def test_each_slug_names_one_condition() -> None:
    by_slug: dict[str, list[str]] = {}
    for error in TYPES:
        by_slug.setdefault(error.slug, []).append(f"{error.__module__}.{error.__qualname__}")
    assert {slug: names for slug, names in by_slug.items() if len(names) > 1} == {}


def test_the_readme_table_is_the_one_the_classes_give() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run `jointcall openapi` and commit the README:\n" + readme_table()


def test_the_readme_table_lists_every_slug_with_its_status_and_members() -> None:
    table = readme_table()
    for error in TYPES:
        assert f"| `{error.slug}` | {error.status} |" in table
    assert "| `call-transition-refused` | 409 |" in table and "`allowed`" in table
    assert "| `conflict` |" not in table  # a base, never a condition


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_condition_a_service_declares_is_documented_on_an_operation(service: str) -> None:
    module = importlib.import_module(f"services.{service}.errors")
    declared = {
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceError)
        and value.__module__ == module.__name__
        and "slug" in vars(value)  # not a base such as DocumentRefused
    }
    documented = {error for errors in SERVICES[service].problems.values() for error in errors}
    assert declared - documented == set(), "add them to ROUTE_PROBLEMS"


def test_an_operation_lists_its_problem_types_with_an_example_each() -> None:
    from services.call_definition.app import create_app

    spec: dict[str, Any] = create_app().openapi()
    conflict = spec["paths"]["/calls/{call_id}/transitions"]["post"]["responses"]["409"]
    assert "`call-transition-refused`" in conflict["description"]
    example = conflict["content"]["application/problem+json"]["examples"]["call-transition-refused"]["value"]
    assert example["type"] == PROBLEM_BASE + "call-transition-refused" and example["status"] == 409
    assert {"call_status", "target", "allowed"} <= set(example)
    invalid = spec["paths"]["/calls/{call_id}"]["put"]["responses"]
    assert "`precondition-failed`" in invalid["412"]["description"]


class _Taken(Conflict):
    slug = "test-taken"
    title = "Taken"
    fields: ClassVar[tuple[str, ...]] = ("holder",)


def _router() -> APIRouter:
    router = APIRouter()

    @router.post("/things", responses={409: {"description": "Already there"}})
    async def post_thing() -> None:
        raise _Taken("taken", extra={"holder": "x"})

    @router.delete("/things")
    async def delete_things() -> None:
        raise _Taken("taken", extra={"holder": "x"})

    return router


def test_documenting_twice_gives_the_same_responses_after_what_the_route_said() -> None:
    router = _router()
    problems = {"POST /things": (_Taken, NotFound), "DELETE /things": (_Taken,)}
    document_problems([router], problems)
    once = [dict(route.responses) for route in router.routes]  # type: ignore[attr-defined]
    document_problems([router], problems)
    assert [route.responses for route in router.routes] == once  # type: ignore[attr-defined]
    assert once[0][409]["description"].startswith("Already there") and "`test-taken`" in once[0][409]["description"]
    assert set(once[0]) == {409, 404}
    assert once[1][409]["description"] == "- `test-taken`: Taken (with `holder`)"


def test_a_problem_type_declared_for_an_operation_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="POST /nothing"):
        document_problems([_router()], {"POST /nothing": (_Taken,)})


def test_responses_group_the_types_by_status() -> None:
    responses = problem_responses([_Taken, NotFound])
    assert sorted(responses) == [404, 409]
    assert list(responses[409]["content"]["application/problem+json"]["examples"]) == ["test-taken"]


def test_a_raise_without_the_members_its_type_promises_fails_loudly() -> None:
    with pytest.raises(TypeError, match="holder"):
        _Taken("taken")


def test_a_condition_may_not_reuse_a_member_every_problem_has() -> None:
    with pytest.raises(TypeError, match="status"):

        class _Clash(Conflict):
            slug = "test-clash"
            fields = ("status",)
