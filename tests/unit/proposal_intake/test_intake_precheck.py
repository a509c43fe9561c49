"""services/proposal_intake/domain/precheck.py: the live pre-check through the shared rule engine, and what a
submission takes of it (consortium rules as hard errors, regional verdicts as warnings on the receipt)."""

from __future__ import annotations

from services.proposal_intake.domain.precheck import (
    SubmissionVerdicts,
    call_rules,
    consortium_failures,
    engine_digest,
    precheck_draft,
    regional_warnings,
    submission_verdicts,
    verdicts_key,
)
from shared.clock import MovableClock
from shared.proposals import ProposalDraft
from shared.rules.model import Outcome
from tests.helpers import NOW, partner, proposal_body, published_call

CONFIG = published_call(MovableClock(NOW)).configuration
assert CONFIG is not None


def draft(*partners: dict[str, object], **changes: object) -> ProposalDraft:
    body = proposal_body(*partners)  # type: ignore[arg-type]
    body.update(changes)
    return ProposalDraft.model_validate(body).with_partner_keys()


def test_nothing_to_judge_without_trl_or_duration() -> None:
    assert precheck_draft(draft(trl=None), CONFIG) is None
    assert precheck_draft(draft(duration_months=None), CONFIG) is None
    assert submission_verdicts(None) == SubmissionVerdicts(failures=[], warnings=[])


def test_the_example_consortium_passes_the_consortium_rules_and_leaves_checks_to_officers() -> None:
    report = precheck_draft(draft(), CONFIG)
    assert report is not None
    assert consortium_failures(report) == []
    assert set(report.regions) == {"AT-4", "CH-FR"}
    warnings = regional_warnings(report)
    assert warnings == [
        "AT-4: an officer of Upper Austria must check: financial viability of companies",
        "CH-FR: an officer of Canton of Fribourg must check: registered seat in the canton",
    ]


def test_a_single_region_consortium_breaks_a_consortium_rule_at_submission() -> None:
    one_region = draft(
        partner("A GmbH", "AT-4", role="coordinator"),
        partner("B GmbH", "AT-4"),
    )
    report = precheck_draft(one_region, CONFIG)
    assert report is not None and report.outcome is Outcome.FAIL
    verdicts = submission_verdicts(report)
    assert verdicts.failures, "the consortium must come from two regions"
    assert all(field == "consortium" for field, _message in verdicts.failures)


def test_submission_verdicts_survive_their_json_memo() -> None:
    verdicts = SubmissionVerdicts(failures=[("consortium", "min_regions: too few")], warnings=["AT-4: manual"])
    assert SubmissionVerdicts.from_json(verdicts.as_json()) == verdicts


def test_the_memo_key_changes_with_the_draft_the_call_and_the_engine() -> None:
    digest = engine_digest()
    key = verdicts_key(3, 7, digest)
    assert key == f"3:7:{digest}"
    variants = {verdicts_key(4, 7, digest), verdicts_key(3, 8, digest), verdicts_key(3, None, digest)}
    assert len({key, *variants, verdicts_key(3, 7, "other code")}) == 5


def test_the_engine_digest_is_of_the_code_and_stable() -> None:
    assert engine_digest() == engine_digest()
    assert len(engine_digest()) == 16


def test_rules_kept_by_a_caller_judge_as_rules_built_afresh() -> None:
    assert precheck_draft(draft(), CONFIG, call_rules(CONFIG)) == precheck_draft(draft(), CONFIG)
