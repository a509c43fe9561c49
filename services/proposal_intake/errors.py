"""The errors of a two-stage call's intake, one per condition a consortium can act on, each with its problem type."""

from __future__ import annotations

from shared.errors import Conflict, DeadlinePassed, Forbidden


class StageOneDeadlinePassed(DeadlinePassed):
    """The pre-proposal window closed: stage 1 takes nothing more (invited consortia go on in stage 2)."""

    slug = "stage-1-deadline-passed"
    title = "The pre-proposal deadline has passed"


class NotInvited(Forbidden):
    """Stage 2 is for the consortia invited after stage 1; the problem carries why this one was not."""

    slug = "not-invited-to-stage-2"
    title = "Only invited consortia submit a full proposal"


class FullProposalExists(Conflict):
    slug = "full-proposal-exists"
    title = "This pre-proposal already has its full proposal"
