"""The errors of joint_evaluation a client can act on, one per condition, each with its own problem type; and
which operation may answer which (its OpenAPI responses)."""

from __future__ import annotations

from shared.document_grants import GrantRefused
from shared.errors import Conflict, NotYetKnown, ServiceError, ValidationFailed


class EvaluationComplete(Conflict, slug="evaluation-complete", title="The evaluation of this call is complete"):
    """The call's ranking is complete: its evaluation (assignments, scores, consensus) is fixed."""


class EvaluationNotComplete(Conflict, slug="evaluation-not-complete", title="The ranking is not complete yet"):
    """Funding walks the complete ranking: complete it first (POST /calls/{call_id}/ranking/complete)."""


class ProposalNotInEvaluation(
    Conflict, slug="proposal-not-in-evaluation", title="The proposal is not in evaluation", fields=("reason",)
):
    """The proposal is withdrawn, not eligible, or awaits its eligibility decision (`reason`)."""


class AssessmentSubmitted(
    Conflict, slug="assessment-submitted", title="The assessment was submitted: it is locked"
): ...


class AssessmentIncomplete(
    ValidationFailed, slug="assessment-incomplete", title="The assessment is incomplete", fields=("missing",)
):
    """A submission lacks scores or justifications the call requires (`missing`: their fields; `errors` lists
    them with any invalid value)."""


class ConsensusFinal(Conflict, slug="consensus-final", title="The consensus of this proposal is final"): ...


class AssessmentsOutstanding(
    Conflict,
    slug="assessments-outstanding",
    title="Assigned evaluators have not submitted yet",
    fields=("waiting_for",),
):
    """The consensus is finalised once every assigned evaluator has submitted (`waiting_for`: who has not)."""


class ConsensusIncomplete(Conflict, slug="consensus-incomplete", title="The consensus cannot be computed"):
    """A criterion nobody scored and the rapporteur did not set: set it (PUT .../consensus) first."""


class RankingIncomplete(
    Conflict,
    slug="ranking-incomplete",
    title="Proposals still lack a consensus or an eligibility decision",
    fields=("pending_consensus", "awaiting_eligibility"),
):
    """The ranking completes once every eligible proposal has a final consensus and none awaits eligibility."""


class ResultsFinal(Conflict, slug="results-published", title="The results are published"):
    """The results are published: the funding decisions are final."""


class FundingNotDecided(
    Conflict, slug="funding-not-decided", title="No funding has been decided for this call yet"
): ...


class FundingNotComputable(
    Conflict, slug="funding-not-computable", title="The funding cannot be decided from this data"
):
    """The walk cannot use the data (a currency without a rate, a request in another currency): amend the call."""


class FundingVersionChanged(
    Conflict,
    slug="funding-version-changed",
    title="The funding decisions changed since they were read",
    fields=("funding_version",),
):
    """The decisions were walked again since they were read: `funding_version` is the current one."""


class FundingAlreadyDeclined(
    Conflict,
    slug="funding-already-declined",
    title="The proposal's funding is already declined",
    fields=("declined_by",),
): ...


class ResultsInconsistent(
    Conflict, slug="results-inconsistent", title="The results do not match the funding decisions"
):
    """The funding decisions no longer match the ranking (e.g. a withdrawal since): run the funding again."""


class ConfirmationsOutstanding(
    Conflict, slug="confirmations-outstanding", title="Regions still have to confirm", fields=("waiting_for",)
):
    """Regions that fund partners have not confirmed yet (`waiting_for`: which)."""


class ReserveOfferNotProposed(
    Conflict,
    slug="reserve-offer-not-proposed",
    title="The reserve offer is no longer proposed",
    fields=("offer_status",),
):
    """Only a proposed reserve offer is confirmed or funded; this one is `offer_status`."""


class ReserveOfferConfirmed(
    Conflict, slug="reserve-offer-already-confirmed", title="The region has already confirmed this reserve offer"
): ...


class OneStageCall(Conflict, slug="one-stage-call", title="This is a one-stage call"):
    """Shortlists, stage-1 fit and invitations are for two-stage calls."""


class ShortlistFinal(
    Conflict, slug="invitations-published", title="The invitations are published: the shortlist is final"
): ...


class ShortlistPending(
    Conflict,
    slug="shortlist-pending",
    title="Pre-proposals still await their eligibility or score",
    fields=("pending",),
):
    """Pre-proposals still await their eligibility or final stage-1 score (`pending`: which)."""


class ShortlistNotDecided(
    Conflict, slug="shortlist-not-decided", title="No shortlist has been decided for this call yet"
): ...


class NothingToConfirm(Conflict, slug="nothing-to-confirm", title="The region has nothing to confirm"):
    """No invited pre-proposal asks this region for money."""


class NoRegionFit(Conflict, slug="no-region-fit", title="This call's stage 1 has no go / no-go by the regions"): ...


ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "POST /calls/{call_id}/evaluators": (NotYetKnown,),
    "POST /calls/{call_id}/assignment": (EvaluationComplete,),
    "PUT /proposals/{proposal_id}/assessment": (AssessmentSubmitted,),
    "POST /proposals/{proposal_id}/assessment/submit": (AssessmentSubmitted, AssessmentIncomplete),
    "PUT /proposals/{proposal_id}/consensus": (ProposalNotInEvaluation, EvaluationComplete, ConsensusFinal),
    "POST /proposals/{proposal_id}/consensus/finalise": (
        ProposalNotInEvaluation,
        EvaluationComplete,
        ConsensusFinal,
        AssessmentsOutstanding,
        ConsensusIncomplete,
    ),
    "POST /calls/{call_id}/ranking/complete": (EvaluationComplete, RankingIncomplete),
    "POST /calls/{call_id}/funding": (EvaluationNotComplete, ResultsFinal, FundingNotComputable),
    "POST /calls/{call_id}/funding/simulate": (EvaluationNotComplete, FundingNotComputable),
    "POST /calls/{call_id}/funding/regions/{region_code}/confirmation": (
        ResultsFinal,
        FundingNotDecided,
        FundingVersionChanged,
        FundingAlreadyDeclined,
        FundingNotComputable,
    ),
    "GET /calls/{call_id}/results": (ResultsInconsistent,),
    "GET /calls/{call_id}/results.csv": (ResultsInconsistent,),
    "GET /calls/{call_id}/results.xlsx": (ResultsInconsistent,),
    "GET /calls/{call_id}/results/published": (ResultsInconsistent,),
    "GET /proposals/{proposal_id}/result": (ResultsInconsistent,),
    "POST /calls/{call_id}/results/publish": (ResultsFinal, ConfirmationsOutstanding, ResultsInconsistent),
    "POST /calls/{call_id}/reserve-offers/{offer_round}/confirmations": (
        ReserveOfferNotProposed,
        ReserveOfferConfirmed,
    ),
    "POST /calls/{call_id}/reserve-offers/{offer_round}/funding": (ReserveOfferNotProposed, ConfirmationsOutstanding),
    "GET /calls/{call_id}/shortlist": (OneStageCall,),
    "POST /calls/{call_id}/shortlist/simulate": (OneStageCall,),
    "POST /calls/{call_id}/shortlist": (OneStageCall, ShortlistFinal, ShortlistPending),
    "POST /calls/{call_id}/shortlist/regions/{region_code}/confirmation": (
        ShortlistNotDecided,
        ShortlistFinal,
        NothingToConfirm,
    ),
    "PUT /proposals/{proposal_id}/fit": (OneStageCall, NoRegionFit, ShortlistFinal),
    "POST /proposals/{proposal_id}/document-grant": (GrantRefused,),
}
