"""Monitoring's statuses as data: a project, an offer and a report move exactly as their tables say, every
other move is refused."""

from __future__ import annotations

import itertools

from services.project_monitoring.domain.contracting import (
    ContractAction,
    ContractStatus,
    ProjectStatus,
    can_move_project,
    contract_refusal,
    next_status,
)
from services.project_monitoring.domain.reporting import ReportAction, ReportStatus, report_refusal

P = ProjectStatus
PROJECT_MOVES = {(P.CONTRACTING, P.STARTED), (P.CONTRACTING, P.CANCELLED)}
C, CA = ContractStatus, ContractAction
CONTRACT_MOVES = {
    (C.OFFERED, CA.SIGN): C.SIGNED,
    (C.OFFERED, CA.DECLINE): C.DECLINED,
    (C.OFFERED, CA.WITHDRAW): C.WITHDRAWN,
    (C.SIGNED, CA.WITHDRAW): C.WITHDRAWN,
}
R, RA = ReportStatus, ReportAction
REPORT_ACTIONS = {
    (R.DUE, RA.SUBMIT),
    (R.CHANGES_REQUESTED, RA.SUBMIT),
    (R.SUBMITTED, RA.ACCEPT),
    (R.SUBMITTED, RA.REQUEST_CHANGES),
    (R.CHANGES_REQUESTED, RA.ACCEPT),
    (R.CHANGES_REQUESTED, RA.REQUEST_CHANGES),
}


def test_a_project_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(ProjectStatus, repeat=2):
        assert can_move_project(current, to) == ((current, to) in PROJECT_MOVES), (current, to)


def test_an_offer_takes_exactly_the_steps_of_the_table_while_the_project_is_contracting() -> None:
    for status, action in itertools.product(ContractStatus, ContractAction):
        refusal = contract_refusal(status, action, ProjectStatus.CONTRACTING)
        assert (refusal is None) == ((status, action) in CONTRACT_MOVES), (status, action, refusal)
        if refusal is None:
            assert next_status(status, action) is CONTRACT_MOVES[(status, action)]
        for project in (ProjectStatus.STARTED, ProjectStatus.CANCELLED):
            assert contract_refusal(status, action, project) is not None


def test_a_report_takes_exactly_the_actions_of_the_table() -> None:
    for status, action in itertools.product(ReportStatus, ReportAction):
        assert (report_refusal(status, action) is None) == ((status, action) in REPORT_ACTIONS), (status, action)
