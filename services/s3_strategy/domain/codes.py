"""The code lists a priority is coded with: NACE Rev.2 (sections and divisions), NABS 2007 (chapters) and the
policy objectives. They ship as JSON files in `services/s3_strategy/data/`, each naming its source."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


class Dimension(StrEnum):
    """The three coded dimensions of an Eye@RIS3 priority."""

    NACE = "nace"
    NABS = "nabs"
    OBJECTIVE = "objective"


FILES = {
    Dimension.NACE: "nace_rev2.json",
    Dimension.NABS: "nabs2007.json",
    Dimension.OBJECTIVE: "policy_objectives.json",
}


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class CodeList:
    dimension: Dimension
    name: str
    source: str
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    @functools.cached_property
    def by_code(self) -> dict[str, Code]:
        return {code.code: code for code in self.codes}

    def title(self, code: str) -> str:
        return self.by_code[code].title


def load_code_list(path: Path, dimension: Dimension) -> CodeList:
    """A code list file: {"name", "source", "codes": [{"code", "title", "level", "parent"}]}; codes are unique."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    codes = tuple(
        Code(code=str(c["code"]), title=str(c["title"]), level=str(c["level"]), parent=c.get("parent"))
        for c in raw["codes"]
    )
    if len({c.code for c in codes}) != len(codes):
        raise ValueError(f"{path.name}: duplicate codes")
    if not raw.get("source"):
        raise ValueError(f"{path.name}: the list must name its source")
    known = {c.code for c in codes}
    for code in codes:
        if code.parent is not None and code.parent not in known:
            raise ValueError(f"{path.name}: {code.code} has an unknown parent {code.parent}")
    return CodeList(dimension=dimension, name=str(raw["name"]), source=str(raw["source"]), codes=codes)


@functools.cache
def code_lists() -> dict[Dimension, CodeList]:
    """The shipped code lists, by dimension (read once)."""
    return {dimension: load_code_list(DATA / name, dimension) for dimension, name in FILES.items()}


def nace_with_section(code: str, nace: CodeList) -> tuple[str, ...]:
    """A NACE division counts for its section too (28 is also C), so a region coding C and one coding 28 overlap."""
    parent = nace.by_code[code].parent
    return (code,) if parent is None else (code, parent)
