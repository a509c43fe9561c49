"""The pure rule engine: consortium and regional eligibility rules as data, judged by plain functions.

No I/O, no database, no clock: everything a rule needs is passed in, so the applicant's live pre-check and
the official regional check run the very same code on the very same facts.
"""

from shared.rules.consortium import evaluate_consortium
from shared.rules.from_config import (
    consortium_rules_from_dict,
    regional_rules_by_code,
    regional_rules_from_dict,
    reporting_rates_from_dict,
)
from shared.rules.model import (
    ConsortiumRules,
    OrganisationType,
    Outcome,
    PartnerFacts,
    ProposalFacts,
    RegionalRules,
    Verdict,
    format_money,
    format_percent,
    outcome_of,
)
from shared.rules.precheck import PrecheckReport, RegionReport, precheck
from shared.rules.regional import eligible_costs, evaluate_partner, evaluate_region

__all__ = [
    "ConsortiumRules",
    "OrganisationType",
    "Outcome",
    "PartnerFacts",
    "PrecheckReport",
    "ProposalFacts",
    "RegionReport",
    "RegionalRules",
    "Verdict",
    "consortium_rules_from_dict",
    "eligible_costs",
    "evaluate_consortium",
    "evaluate_partner",
    "evaluate_region",
    "format_money",
    "format_percent",
    "outcome_of",
    "precheck",
    "regional_rules_by_code",
    "regional_rules_from_dict",
    "reporting_rates_from_dict",
]
