"""What a two-stage call adds to drafting, pre-checking and submitting: the window of the proposal's own stage,
the invitation stage 2 needs, the lighter stage-1 form and stage 2's change rules. One-stage calls pass through
unchanged (stage 1 is their only stage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.call_stages import stage_rules
from shared.calls import CallConfiguration
from shared.errors import DeadlinePassed, FieldError
from shared.events import CallSnapshot
from shared.proposals import ProposalDraft

from .domain.lifecycle import InvitationStatus
from .domain.stages import (
    StageTwoLimits,
    in_stage_two,
    is_two_stage,
    stage_one_closed,
    stage_one_gaps,
    stage_two_limits,
    stage_two_problems,
    window,
)
from .domain.submission import submission_window_error
from .errors import NotInvited, StageOneDeadlinePassed
from .repository import AnyRow, invitation_of, latest_content


def refuse_new_pre_proposal(config: CallConfiguration, now: datetime) -> None:
    """A new draft of a two-stage call is a pre-proposal: none once stage 1 has closed."""
    if stage_one_closed(config, now):
        raise StageOneDeadlinePassed(
            f"The pre-proposal deadline was {config.stages[0].deadline.isoformat()}; no new pre-proposals. "
            "Invited consortia start their full proposal from their pre-proposal "
            "(POST /proposals/{pre_proposal_id}/full-proposal).",
            extra={"server_time": now.isoformat()},
        )


async def refuse_outside_window(
    session: AsyncSession, proposal: AnyRow, call: CallSnapshot, config: CallConfiguration, now: datetime
) -> None:
    """The server clock decides, in the proposal's own stage; stage 2 is for invited consortia only."""
    extra = {"server_time": now.isoformat()}
    if not is_two_stage(config):
        refusal = submission_window_error(call, now)
        if refusal:
            raise DeadlinePassed(refusal, extra=extra)
        return
    stage = window(config, proposal.stage)
    if proposal.stage == 2:
        await require_invitation(session, proposal.pre_proposal_id)
    elif stage_one_closed(config, now):
        if in_stage_two(config, now):  # submitting in stage 2 what was not invited to it
            await require_invitation(session, proposal.id, submitting_pre_proposal_at=now)
        raise StageOneDeadlinePassed(
            f"The pre-proposal deadline ({stage.deadline.isoformat()}) has passed; the server time is "
            f"{now.isoformat()}. Nothing was stored.",
            extra=extra,
        )
    if now < stage.opens:
        raise DeadlinePassed(
            f"The {stage.name} stage opens at {stage.opens.isoformat()}; submissions are not accepted before.",
            extra=extra,
        )
    if now >= stage.deadline:
        raise DeadlinePassed(
            f"The deadline ({stage.deadline.isoformat()}) has passed; the server time is {now.isoformat()}. "
            "Nothing was stored.",
            extra=extra,
        )


async def require_invitation(
    session: AsyncSession, pre_proposal_id: str | None, *, submitting_pre_proposal_at: datetime | None = None
) -> AnyRow:
    """The pre-proposal's invitation; NotInvited (with the reasons it was given) unless it was invited."""
    invitation = await invitation_of(session, pre_proposal_id) if pre_proposal_id else None
    if invitation is None:
        raise NotInvited("No invitation to stage 2 has been published for this consortium's pre-proposal.")
    if invitation.status != InvitationStatus.INVITED:
        raise NotInvited(
            "This consortium's pre-proposal was not invited to stage 2: " + "; ".join(invitation.reasons),
            extra={"invitation_status": invitation.status, "reasons": list(invitation.reasons)},
        )
    if submitting_pre_proposal_at is not None:
        raise StageOneDeadlinePassed(
            "The pre-proposal stage is over and this pre-proposal was invited: start the full proposal from it "
            f"(POST /proposals/{pre_proposal_id}/full-proposal) and submit that.",
            extra={"server_time": submitting_pre_proposal_at.isoformat()},
        )
    return invitation


@dataclass(frozen=True)
class StageView:
    """The proposal's stage and what it brings to completeness (stage 1) and change rules (stage 2)."""

    stage: int
    two_stage: bool
    limits: StageTwoLimits | None = None  # stage 2 only

    def gaps(self, gaps: list[FieldError], config: CallConfiguration) -> list[FieldError]:
        rules = stage_rules(config)
        if rules is None or self.stage != 1:
            return gaps
        return stage_one_gaps(gaps, rules.stage_one)

    def failures(self, failures: list[tuple[str, str]], config: CallConfiguration) -> list[tuple[str, str]]:
        """The consortium rules' failures that count in this stage (stage 1: only its rule set)."""
        rules = stage_rules(config)
        if rules is None or self.stage != 1 or rules.stage_one.eligibility_rules is None:
            return failures
        applying = set(rules.stage_one.eligibility_rules)
        return [(field, message) for field, message in failures if message.split(":", 1)[0] in applying]

    def problems(self, draft: ProposalDraft, config: CallConfiguration) -> list[FieldError]:
        return stage_two_problems(draft, self.limits, config) if self.limits is not None else []

    def as_dict(self) -> dict[str, object] | None:
        if not self.two_stage:
            return None
        return {"stage": self.stage, "stage_two_rules": self.limits.as_dict() if self.limits else None}


async def stage_view(session: AsyncSession, proposal: AnyRow, config: CallConfiguration) -> StageView:
    rules = stage_rules(config)
    if rules is None:
        return StageView(stage=1, two_stage=False)
    if proposal.stage != 2 or proposal.pre_proposal_id is None:
        return StageView(stage=1, two_stage=True)
    content = await latest_content(session, proposal.pre_proposal_id)
    pre = ProposalDraft.model_validate(content or {})
    return StageView(stage=2, two_stage=True, limits=stage_two_limits(pre, rules.stage_two, config))
