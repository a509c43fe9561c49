"""Who may call a route: the role dependencies every service's routes take, defined once (FastAPI `Annotated`
aliases; each lets only its roles through, 401 without a token, 403 for another role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.http.auth import require
from shared.http.principal import Principal, Role

__all__ = ["Agency", "AgencyOrConsortium", "AgencyOrRegion", "Consortium", "Expert", "Region"]

Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Region = Annotated[Principal, Depends(require(Role.REGION))]
Consortium = Annotated[Principal, Depends(require(Role.CONSORTIUM))]
Expert = Annotated[Principal, Depends(require(Role.EVALUATOR))]
AgencyOrRegion = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION))]
AgencyOrConsortium = Annotated[Principal, Depends(require(Role.AGENCY, Role.CONSORTIUM))]
