"""The bearer token an independent expert is given, for the role ``evaluator:<id>``: issued when the agency
registers it and again whenever the agency asks (use_cases/register_evaluator.py, reissue_token.py)."""

from __future__ import annotations

from shared.service import Runtime
from shared.tokens import issue_token

from .models import Evaluator

# Long enough for an evaluation round; the agency can issue a new one at any time.
EVALUATOR_TOKEN_TTL_S = 60 * 24 * 3600


def evaluator_token(runtime: Runtime, evaluator: Evaluator) -> str:
    settings = runtime.settings
    return issue_token(
        settings.jwt_secret,
        f"evaluator:{evaluator.id}",
        subject=evaluator.email,
        ttl_s=EVALUATOR_TOKEN_TTL_S,
        algorithm=settings.jwt_algorithm,
    )
