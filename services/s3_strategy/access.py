"""Who may do what in s3_strategy: the agency everything; a region reads every region's priorities (they are
published strategies) and edits only its own."""

from __future__ import annotations

from shared.http.principal import Principal, Role

from .errors import NotYourRegion


def ensure_may_edit(principal: Principal, region_code: str) -> None:
    if principal.role is Role.AGENCY:
        return
    if principal.role is Role.REGION and principal.scope == region_code:
        return
    raise NotYourRegion(f"{principal.label} may not change the priorities of {region_code}.")
