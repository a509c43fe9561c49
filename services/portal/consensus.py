"""The rapporteur's consensus page as data: the individual assessments side by side per criterion, the spread, the
divergence the service flags and, within a flagged criterion, the outlying scores.

Pure functions on what the APIs return; the service decides what is divergent and what the consensus is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from statistics import median
from typing import Any


@dataclass(frozen=True)
class Cell:
    evaluator_id: str
    score: Decimal | None
    submitted: bool
    outlier: bool = False


@dataclass(frozen=True)
class CriterionRow:
    key: str
    name: str
    cells: list[Cell]
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None
    mean: Decimal | None
    divergent: bool
    score: Decimal | None = None
    overridden: bool = False
    justification: str = ""
    justifications: dict[str, str] = field(default_factory=dict)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def outliers(scores: dict[str, Decimal]) -> set[str]:
    """The evaluators whose score lies farthest from the median of the scores (all of them at that distance);
    none when every score is the same."""
    if len(scores) < 2:
        return set()
    middle = Decimal(str(median(scores.values())))
    distance = {evaluator: abs(score - middle) for evaluator, score in scores.items()}
    farthest = max(distance.values())
    return {evaluator for evaluator, d in distance.items() if d == farthest} if farthest > 0 else set()


def consensus_rows(evaluation: dict[str, Any], proposal: dict[str, Any]) -> list[CriterionRow]:
    """One row per criterion of the call: each assessment's score (drafts shown but not counted), the spread of the
    submitted ones, whether the service flags the criterion as divergent, and its consensus as the service has it."""
    assessments = proposal.get("assessments") or []
    order = [str(e) for e in proposal.get("evaluator_ids") or []]
    order += [a["evaluator_id"] for a in assessments if a["evaluator_id"] not in order]
    by_evaluator = {a["evaluator_id"]: a for a in assessments}
    consensus = proposal.get("consensus") or {}
    flagged = {d["criterion_key"] for d in consensus.get("divergence", [])}
    agreed = {c["criterion_key"]: c for c in consensus.get("criteria", [])}
    rows = []
    for criterion in evaluation.get("criteria", []):
        key = criterion["key"]
        submitted = {
            evaluator: score
            for evaluator in order
            if (a := by_evaluator.get(evaluator))
            and a["status"] == "submitted"
            and (score := _number(a["scores"].get(key))) is not None
        }
        odd = outliers(submitted) if key in flagged else set()
        cells = [
            Cell(
                evaluator_id=evaluator,
                score=_number((by_evaluator.get(evaluator) or {}).get("scores", {}).get(key)),
                submitted=(by_evaluator.get(evaluator) or {}).get("status") == "submitted",
                outlier=evaluator in odd,
            )
            for evaluator in order
        ]
        values = list(submitted.values())
        item = agreed.get(key, {})
        rows.append(
            CriterionRow(
                key=key,
                name=criterion["name"],
                cells=cells,
                lowest=min(values) if values else None,
                highest=max(values) if values else None,
                spread=max(values) - min(values) if values else None,
                mean=_number(item.get("mean")),
                divergent=key in flagged,
                score=_number(item.get("score")),
                overridden=bool(item.get("overridden")),
                justification=str(item.get("justification") or ""),
                justifications={
                    evaluator: str(a.get("justifications", {}).get(key) or "")
                    for evaluator, a in by_evaluator.items()
                    if a["status"] == "submitted"
                },
            )
        )
    return rows


def consensus_body(keys: list[str], form: dict[str, Any]) -> dict[str, Any]:
    """The PUT body from the consensus form: a criterion whose score is left at "the rounded mean" is not sent (it
    takes the mean); one with a score chosen is sent with its justification, as typed."""
    criteria = {}
    for key in keys:
        score = str(form.get(f"consensus_{key}") or "").strip()
        if score:
            criteria[key] = {"score": score, "justification": str(form.get(f"consensus_justification_{key}") or "")}
    return {"criteria": criteria}


def consensus_field_errors(body: Any) -> dict[str, str]:
    """problem+json errors of the consensus PUT at the form's fields: `criteria.<key>.justification` is the
    justification field of that criterion, `criteria.<key>` (or `.score`) its score."""
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        return errors
    for error in body.get("errors", []) or []:
        if not isinstance(error, dict):
            continue
        parts = [p for p in str(error.get("field", "")).split(".") if p not in ("body", "")]
        message = str(error.get("message", ""))
        if len(parts) >= 2 and parts[0] == "criteria":
            name = "consensus_justification_" if parts[-1] == "justification" else "consensus_"
            errors[name + parts[1]] = message
        else:
            errors[parts[-1] if parts else ""] = message
    return errors
