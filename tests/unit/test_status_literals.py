"""No raw status literal outside the module of its enum: a service compares, assigns and passes its statuses
as the enum's members (``proposal.status == ProposalStatus.WITHDRAWN``, ``status=CaseStatus.CHECKING``), so that
the enum in ``domain/`` stays the one list of them (and the database's CHECK constraints are built from it).

The scan looks at a service's code outside its enum modules (and its migrations, which write values out as
they stood): a string constant equal to one of the service's status values, compared with, assigned to or
passed as a status-like name (``status``, ``verdict``, ``outcome`` ...), or given under such a key in a dict.
"""

from __future__ import annotations

import ast
import inspect
from enum import StrEnum
from pathlib import Path

import pytest

from services.call_definition.domain.amendments import VersionKind
from services.call_definition.domain.lifecycle import CallStatus
from services.joint_evaluation.domain.allocation import FundingStatus
from services.joint_evaluation.domain.assessment import AssessmentStatus
from services.joint_evaluation.domain.funding import FundingTrigger
from services.joint_evaluation.domain.ranking import RankingStatus
from services.joint_evaluation.domain.reserve import OfferStatus
from services.joint_evaluation.domain.shortlist import ShortlistStatus
from services.joint_evaluation.domain.status import Eligibility, EvaluationStatus
from services.project_monitoring.domain.contracting import ContractStatus, ProjectStatus
from services.project_monitoring.domain.reporting import ReportStatus, ReviewStatus
from services.proposal_intake.domain.lifecycle import InvitationStatus, ProposalStatus
from services.regional_eligibility.domain.checks import CheckVerdict
from services.regional_eligibility.domain.lifecycle import CaseFeedKind, CaseOutcome, CaseStatus
from services.regional_eligibility.domain.notices import NoticeKind
from services.regional_eligibility.domain.webhooks import DeliveryStatus, SubscriptionStatus
from shared.webhooks import Outcome

ROOT = Path(__file__).resolve().parents[2]
# Each service's status enums: their values are what the scan looks for in that service's code.
STATUS_ENUMS: dict[str, list[type[StrEnum]]] = {
    "call_definition": [CallStatus, VersionKind],
    "joint_evaluation": [
        Eligibility,
        EvaluationStatus,
        AssessmentStatus,
        RankingStatus,
        FundingStatus,
        FundingTrigger,
        OfferStatus,
        ShortlistStatus,
    ],
    "project_monitoring": [ProjectStatus, ContractStatus, ReportStatus, ReviewStatus],
    "proposal_intake": [ProposalStatus, InvitationStatus],
    "regional_eligibility": [
        CaseStatus,
        CaseOutcome,
        CaseFeedKind,
        CheckVerdict,
        NoticeKind,
        SubscriptionStatus,
        DeliveryStatus,
        Outcome,
    ],
}
# Another service's status that happens to share a value with one of this service's (file, code).
ANOTHER_SERVICES = {
    ("services/proposal_intake/domain/submission.py", "call.status == 'draft'"),  # the call's (call_definition)
}
STATUS_NAMES = {
    "status",
    "statuses",
    "state",
    "verdict",
    "automatic_verdict",
    "outcome",
    "last_outcome",
    "eligibility",
    "current_eligibility",
    "kind",
    "trigger",
}


def _name(node: ast.AST) -> str | None:
    """The status-like name `node` reads: `x.status`, `x.status.value`, `status`, `row["status"]`,
    `row.get("status")`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        return _name(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        first = node.args[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    return None


def _strings(node: ast.AST) -> list[str]:
    """The string constants `node` is, or holds as a tuple, list, set or frozenset(...) of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set"):
        return [s for arg in node.args for s in _strings(arg)]
    return []


def raw_status_literals(source: str, values: set[str]) -> list[tuple[int, str]]:
    """(line, code) of every place `source` uses one of `values` as a raw literal for a status."""
    found = []
    for node in ast.walk(ast.parse(source)):
        used: list[str] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_name(side) in STATUS_NAMES for side in sides):
                used = [s for side in sides for s in _strings(side)]
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("in_", "not_in")
        ):
            if _name(node.func.value) in STATUS_NAMES:
                used = [s for arg in node.args for s in _strings(arg)]
        elif isinstance(node, ast.keyword) and node.arg in STATUS_NAMES:
            used = _strings(node.value)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(_name(target) in STATUS_NAMES for target in targets):
                used = _strings(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in STATUS_NAMES:
                    used += _strings(value)
        if any(s in values for s in used):
            found.append((getattr(node, "lineno", 0), ast.unparse(node)[:120]))
    return sorted(found)


@pytest.mark.parametrize("service", sorted(STATUS_ENUMS))
def test_a_service_speaks_of_its_statuses_only_through_their_enums(service: str) -> None:
    enums = STATUS_ENUMS[service]
    values = {member.value for enum in enums for member in enum}
    enum_modules = {Path(inspect.getfile(enum)).resolve() for enum in enums}
    found = [
        f"{path.relative_to(ROOT)}:{line}: {code}"
        for path in sorted((ROOT / "services" / service).rglob("*.py"))
        if path.resolve() not in enum_modules and "migrations" not in path.parts
        for line, code in raw_status_literals(path.read_text(encoding="utf-8"), values)
        if (str(path.relative_to(ROOT)), code) not in ANOTHER_SERVICES
    ]
    assert found == []


def test_the_scan_finds_a_raw_status_and_leaves_the_enum_alone() -> None:
    source = """
if proposal.status == "withdrawn": pass
rows.where(Case.status.in_(("checking", "decided")))
Case(status="checking")
case.verdict = "pass"
before = {"status": "draft"}
if proposal.status == ProposalStatus.WITHDRAWN: pass
if refused.outcome.value != "withdrawn": pass
title = "withdrawn"
if mode == "withdrawn": pass
"""
    lines = [line for line, _ in raw_status_literals(source, {"withdrawn", "checking", "pass", "draft"})]
    assert lines == [2, 3, 4, 5, 6, 8]
