"""The demo's consortia in a two-stage call (pure): what each sends as a pre-proposal, what it completes as a full
proposal once invited, and each region's go / no-go on the fit of a pre-proposal with partners of its own.

A pre-proposal is the consortium's draft on the lighter stage-1 form: no legal ids, contacts or budgets, only the
indicative requested funding per partner. A defect is a defect at stage 1 only if the call checks its rule there
(a funding rate or a TRL range needs what stage 1 does not ask for): otherwise the consortium sends it unaware,
and stage 2 finds it. The full proposal is the consortium's draft as a whole again (with what it already fixed
in stage 1 fixed), so it asks no more than its pre-proposal did.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from .consortia import Behaviour, Consortium, Draft

NO_GO_PER_MILLE = 50  # a region finds about 5% of the pre-proposals outside its programme
NO_GO_REASON = "outside the priorities of our regional programme this year"
GO_REASON = "fits our S3 priorities and regional programme"
STAGE_ONE_LEFT_OUT = ("legal_id", "contact")


def pre_proposal_form(draft: Draft) -> Draft:
    """`draft` on the stage-1 form: the partners without legal ids, contacts and budgets."""
    partners = [
        {**{k: v for k, v in p.items() if k not in STAGE_ONE_LEFT_OUT}, "budget": {}} for p in draft["partners"]
    ]
    return {**draft, "partners": partners}


def pre_proposal(consortium: Consortium, stage_one_rules: Collection[str] | None) -> Consortium:
    """The consortium in stage 1 (`stage_one_rules`: the rule keys the call applies there; None: every rule)."""
    defect = consortium.defect
    if defect is not None and stage_one_rules is not None and defect.value not in stage_one_rules:
        # not checked at stage 1: nothing warns it, nothing to resubmit
        return replace(
            consortium,
            draft=pre_proposal_form(consortium.draft),
            corrected=pre_proposal_form(consortium.draft),
            defect=None,
            behaviour=Behaviour.ON_TIME if consortium.behaviour is Behaviour.RESUBMIT else consortium.behaviour,
        )
    return replace(
        consortium, draft=pre_proposal_form(consortium.draft), corrected=pre_proposal_form(consortium.corrected)
    )


def full_proposal(consortium: Consortium, stage_one_rules: Collection[str] | None) -> Consortium:
    """The invited consortium in stage 2: what stage 1 made it fix stays fixed (a consortium rule the pre-check
    showed, a regional one it resubmitted for); a defect stage 1 did not check it still carries."""
    seen = pre_proposal(consortium, stage_one_rules).defect  # the defect stage 1 checked, if any
    if seen is not None and (not seen.regional or consortium.behaviour is Behaviour.RESUBMIT):
        return replace(consortium, draft=consortium.corrected, defect=None, behaviour=Behaviour.ON_TIME)
    return consortium


def stage_one_rules_of(call: dict[str, Any]) -> list[str] | None:
    """The rule keys a call applies at stage 1 (None: every rule), from its configuration."""
    rules: list[str] | None = ((call.get("two_stage") or {}).get("stage_one") or {}).get("eligibility_rules")
    return rules


def fit_verdict(seed: int, acronym: str, region: str) -> tuple[bool, str]:
    """A region's go / no-go on a pre-proposal, with its reason, the same on every run of a seed."""
    digest = hashlib.sha256(f"{seed}:fit:{acronym}:{region}".encode()).hexdigest()
    if int(digest[:8], 16) % 1000 < NO_GO_PER_MILLE:
        return False, NO_GO_REASON
    return True, GO_REASON
