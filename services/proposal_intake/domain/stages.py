"""The two stages of a call, as intake applies them (pure): which window a proposal's stage submits in, what
a pre-proposal must hold, and how a full proposal may differ from the pre-proposal it grew from.

A one-stage call has one stage, number 1; in a two-stage call stage 1 is the pre-proposal and stage 2 the full
proposal, created from an invited pre-proposal and bound to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from shared.call_stages import StageOneForm, StageTwoRules
from shared.calls import CallConfiguration, Stage
from shared.errors import FieldError
from shared.proposals import ProposalDraft

_CENT = Decimal("0.01")
# A gap's field -> the stage-1 option that requires it ("partners.3.legal_id" -> "partners.legal_id").
_PARTNER_FIELD = re.compile(r"^partners\.\d+\.")


def is_two_stage(call: CallConfiguration) -> bool:
    return len(call.stages) == 2


def window(call: CallConfiguration, stage: int) -> Stage:
    """The window a proposal of `stage` (1 or 2) submits in; a one-stage call's only stage is stage 1."""
    return call.stages[stage - 1]


def stage_one_closed(call: CallConfiguration, now: datetime) -> bool:
    return is_two_stage(call) and now >= call.stages[0].deadline


def in_stage_two(call: CallConfiguration, now: datetime) -> bool:
    return is_two_stage(call) and call.stages[1].opens <= now < call.stages[1].deadline


def stage_one_gaps(gaps: Iterable[FieldError], form: StageOneForm) -> list[FieldError]:
    """Of a full proposal's completeness gaps (missing documents among them), those a pre-proposal must close
    too: the fields a call may leave out of stage 1 count only where its stage-1 form requires them, and a
    document only when the form names its type."""
    required = set(form.required_fields)
    optional = {"abstract", "partners.legal_id", "partners.contact", "partners.budget"} - required
    documents = set(form.required_documents)
    return [
        gap
        for gap in gaps
        if _PARTNER_FIELD.sub("partners.", gap.field) not in optional
        and _document_type(gap.field) in (None, *documents)
    ]


def _document_type(field: str) -> str | None:
    """ "documents.narrative" and "documents.letter.p2" -> the type; None for a field that is not a document."""
    head, _, rest = field.partition(".")
    return rest.split(".", 1)[0] if head == "documents" else None


@dataclass(frozen=True, slots=True)
class StageTwoLimits:
    """What a full proposal may do, from its pre-proposal and the call's rules (shown by the pre-check)."""

    regions: tuple[str, ...] | None  # new partners only from these; None: from anywhere
    reporting_currency: str
    pre_proposal_funding: Decimal  # total requested in the pre-proposal, in the reporting currency
    max_funding: Decimal | None  # None: no limit

    def as_dict(self) -> dict[str, object]:
        return {
            "new_partners_only_from_regions": list(self.regions) if self.regions is not None else None,
            "reporting_currency": self.reporting_currency,
            "pre_proposal_requested_funding": str(self.pre_proposal_funding),
            "max_requested_funding": str(self.max_funding) if self.max_funding is not None else None,
        }


def stage_two_limits(pre: ProposalDraft, rules: StageTwoRules, call: CallConfiguration) -> StageTwoLimits:
    regions = sorted({p.region_code for p in pre.partners if p.region_code})
    funding = total_requested(pre, call)
    growth = rules.max_funding_increase
    return StageTwoLimits(
        regions=tuple(regions) if rules.new_partners_only_from_present_regions else None,
        reporting_currency=call.funding.reporting_currency,
        pre_proposal_funding=funding,
        max_funding=(funding * (1 + growth)).quantize(_CENT, rounding=ROUND_HALF_UP) if growth is not None else None,
    )


def stage_two_problems(full: ProposalDraft, limits: StageTwoLimits, call: CallConfiguration) -> list[FieldError]:
    """How the full proposal breaks the stage-2 change rules, each at its field (none: it keeps to them)."""
    problems: list[FieldError] = []
    if limits.regions is not None:
        present = set(limits.regions)
        for index, partner in enumerate(full.partners):
            if partner.region_code and partner.region_code not in present:
                problems.append(
                    FieldError(
                        f"partners.{index}.region_code",
                        f"stage 2 adds partners only from regions already in the pre-proposal "
                        f"({', '.join(limits.regions)}), not {partner.region_code}",
                    )
                )
    if limits.max_funding is not None:
        total = total_requested(full, call)
        if total > limits.max_funding:
            currency = limits.reporting_currency
            problems.append(
                FieldError(
                    "partners",
                    f"total requested funding {total:,.2f} {currency} exceeds the stage-2 limit of "
                    f"{limits.max_funding:,.2f} {currency} (pre-proposal: {limits.pre_proposal_funding:,.2f} "
                    f"{currency})",
                )
            )
    return problems


def total_requested(draft: ProposalDraft, call: CallConfiguration) -> Decimal:
    """The requested funding of every partner, in the call's reporting currency at its fixed rates (a partner
    in a currency without a rate counts at face value: completeness reports its currency)."""
    currency_of = {region.code: region.currency for region in call.regions}
    rates: Mapping[str, Decimal] = call.reporting_rates()
    total = Decimal(0)
    for partner in draft.partners:
        currency = partner.currency or currency_of.get(partner.region_code or "", call.funding.reporting_currency)
        amount = partner.requested_funding or Decimal(0)
        total += (amount * rates.get(currency, Decimal(1))).quantize(_CENT, rounding=ROUND_HALF_UP)
    return total
