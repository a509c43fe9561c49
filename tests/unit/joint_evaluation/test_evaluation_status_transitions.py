"""The evaluation's statuses as data: an assessment is saved as a draft until it is submitted, then locked; a
reserve offer, once proposed, is superseded or funded, and nothing moves it after."""

from __future__ import annotations

import itertools

from services.joint_evaluation.domain import assessment, reserve
from services.joint_evaluation.domain.assessment import AssessmentStatus
from services.joint_evaluation.domain.reserve import OfferStatus

A = AssessmentStatus
ASSESSMENT_MOVES = {(A.DRAFT, A.DRAFT), (A.DRAFT, A.SUBMITTED)}
F = OfferStatus
OFFER_MOVES = {(F.PROPOSED, F.SUPERSEDED), (F.PROPOSED, F.FUNDED)}


def test_an_assessment_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(AssessmentStatus, repeat=2):
        assert assessment.can_move(current, to) == ((current, to) in ASSESSMENT_MOVES), (current, to)


def test_a_first_save_or_submission_starts_an_assessment() -> None:
    assert all(assessment.can_move(None, to) for to in AssessmentStatus)


def test_a_reserve_offer_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(OfferStatus, repeat=2):
        assert reserve.can_move(current, to) == ((current, to) in OFFER_MOVES), (current, to)
