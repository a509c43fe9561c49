from decimal import Decimal

from services.regional_eligibility.domain.checks import Verdict, check_partner, consolidate
from shared.clock import MovableClock
from shared.events import PartnerSnapshot
from shared.money import Money
from tests.helpers import NOW, published_call


def partner(region: str, name: str = "Org") -> PartnerSnapshot:
    return PartnerSnapshot(
        partner_id=f"p-{region}",
        organisation_name=name,
        region_code=region,
        requested_funding=Money(amount=Decimal("1000"), currency="EUR"),
    )


def test_partner_of_a_participating_region_passes_with_its_reason() -> None:
    call = published_call(MovableClock(NOW))
    [verdict] = check_partner(call, partner("AT-4", "Alpha"))
    assert verdict.verdict is Verdict.PASS
    assert "Upper Austria (AT-4) takes part" in verdict.reason


def test_partner_of_another_region_fails_and_makes_the_proposal_not_eligible() -> None:
    call = published_call(MovableClock(NOW))
    verdicts = check_partner(call, partner("AT-4")) + check_partner(call, partner("IT-42", "Liguria Srl"))
    outcome, reasons = consolidate(verdicts) or ("", [])
    assert outcome == "not_eligible"
    assert reasons == ["Liguria Srl: region IT-42 does not take part in call ALP-S3-2027"]


def test_no_decision_while_a_human_check_is_open() -> None:
    call = published_call(MovableClock(NOW))
    [verdict] = check_partner(call, partner("AT-4"))
    pending = verdict.__class__(**{**verdict.__dict__, "verdict": Verdict.NEEDS_HUMAN})
    assert consolidate([verdict, pending]) is None
    assert consolidate([verdict]) == ("eligible", [])
