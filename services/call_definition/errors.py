"""The errors of call_definition a client can act on, one per condition, each with its own problem type; and
which operation may answer which (its OpenAPI responses)."""

from __future__ import annotations

from shared.errors import Conflict, PreconditionFailed, ServiceError


class CallCodeTaken(Conflict, slug="call-code-taken", title="Another call has this code", fields=("code",)):
    """Codes are unique: pick another, or edit the call that has it."""


class CallNotDraft(Conflict, slug="call-not-draft", title="The call is no longer a draft", fields=("call_status",)):
    """Only a draft is replaced (PUT) or published; a published call changes through amendments."""


class CallIsDraft(Conflict, slug="call-is-draft", title="A draft is edited, not amended", fields=("call_status",)):
    """Amendments are for published calls; a draft is edited directly (PUT)."""


class CallTransitionRefused(
    Conflict,
    slug="call-transition-refused",
    title="The call cannot move to this status now",
    fields=("call_status", "target", "allowed"),
):
    """The call cannot move to the status asked for by hand: `allowed` is the step it can take now (if any)."""


ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "POST /calls": (CallCodeTaken,),
    "PUT /calls/{call_id}": (CallNotDraft, PreconditionFailed),
    "POST /calls/{call_id}/publish": (CallNotDraft,),
    "POST /calls/{call_id}/amendments": (CallIsDraft,),
    "POST /calls/{call_id}/transitions": (CallTransitionRefused,),
}
