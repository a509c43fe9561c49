"""The mechanical parts of the shape every service has (README, "How it is built"): routes reach the data only
through use cases, use cases share nothing with each other but domain/ and named modules, and a use case never
depends on FastAPI. Read from the source (the import statements), nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import SERVICE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = list(SERVICE_NAMES)
WEB_FRAMEWORKS = ("fastapi", "starlette")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module the source imports (relative imports resolved against `module`), `from x import y` naming
    both x and x.y (y may be a module). Imports under `if TYPE_CHECKING:` are left out: they never run."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def source_of(module: str) -> str | None:
    """The source of a module of this repository (None for a third-party one or a name that is not a module)."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate.read_text()
    return None


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def api_modules(service: str) -> list[Path]:
    return sorted((ROOT / "services" / service / "api").glob("*.py"))


def use_case_modules(service: str) -> list[Path]:
    return sorted(p for p in (ROOT / "services" / service / "use_cases").glob("*.py") if p.name != "__init__.py")


def repository_imports(path: Path) -> list[str]:
    return sorted(m for m in imports_of(path) if m.rpartition(".")[2].endswith("repository"))


def use_case_imports(path: Path) -> list[str]:
    own = module_name(path)
    package = own.rpartition(".")[0]
    return sorted(m for m in imports_of(path) if m.startswith(package + ".") and m != own and source_of(m) is not None)


def framework_imports(path: Path) -> list[str]:
    """FastAPI or Starlette, imported by the module itself or by a module of this repository it names."""
    found = []
    for module in imports_of(path):
        if module.split(".")[0] in WEB_FRAMEWORKS:
            found.append(module)
            continue
        source = source_of(module)
        if source is not None and module.startswith(("shared", "services")):
            named = imported_modules(source, module, is_package=source_of(module + ".__init__") is not None)
            found += [f"{module} -> {m}" for m in named if m.split(".")[0] in WEB_FRAMEWORKS]
    return sorted(set(found))


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_module_reads_the_repository(service: str) -> None:
    offenders = {p.name: repository_imports(p) for p in api_modules(service)}
    assert api_modules(service)
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_no_use_case_imports_another(service: str) -> None:
    offenders = {p.name: use_case_imports(p) for p in use_case_modules(service)}
    assert use_case_modules(service)
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_no_use_case_depends_on_fastapi(service: str) -> None:
    offenders = {p.name: framework_imports(p) for p in use_case_modules(service)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The checkers find a route reading the repository, a use case importing another, and the FastAPI module
    of auth behind a use case's import of it."""
    source = (
        "from ..repository import get_call\n"
        "from .changes import record\n"
        "from . import other\n"
        "from shared.http.auth import Principal\n"
        "if TYPE_CHECKING:\n"
        "    from fastapi import Request\n"
    )
    found = imported_modules(source, "services.call_definition.use_cases.amend_call")
    assert "services.call_definition.repository" in found
    assert {"services.call_definition.use_cases.changes", "services.call_definition.use_cases.other"} <= found
    assert "fastapi" not in found
    auth = imported_modules(source_of("shared.http.auth") or "", "shared.http.auth")
    assert "fastapi" in auth


# Services whose use cases are one per file named as its file (README, "How it is built"); the others follow as
# they are split. Every service's use cases are one per file (test_one_use_case_per_file).
ONE_USE_CASE_PER_FILE = ["proposal_intake"]


def public_functions(path: Path) -> list[str]:
    """The module's top-level functions not marked private (a leading underscore), and the callables it builds
    at top level (`list_audit = CallAudit(...)`: the kernel's use case bound to this service's tables)."""
    tree = ast.parse(path.read_text())
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            names += [target.id for target in node.targets if isinstance(target, ast.Name) and target.id != "logger"]
    return [name for name in names if not name.startswith("_")]


# The webhook delivery job is one use case whose steps (claim, attempt, record) its tests drive one by one.
SEVERAL_STEPS = {"regional_eligibility": {"deliver_webhooks.py"}}


@pytest.mark.parametrize("service", SERVICES)
def test_one_use_case_per_file(service: str) -> None:
    found = {p.name: public_functions(p) for p in use_case_modules(service)}
    assert found
    several = {name: names for name, names in found.items() if len(names) != 1}
    assert set(several) <= SEVERAL_STEPS.get(service, set()), several


@pytest.mark.parametrize("service", ONE_USE_CASE_PER_FILE)
def test_one_use_case_per_file_named_as_its_file(service: str) -> None:
    offenders = {p.name: public_functions(p) for p in use_case_modules(service)}
    assert use_case_modules(service)
    assert {name: found for name, found in offenders.items() if found != [name.removesuffix(".py")]} == {}


def test_the_use_case_check_sees_a_second_use_case(tmp_path: Path) -> None:
    module = tmp_path / "edit_draft.py"
    module.write_text("async def create_draft(): ...\nasync def update_draft(): ...\ndef _helper(): ...\n")
    assert public_functions(module) == ["create_draft", "update_draft"]
