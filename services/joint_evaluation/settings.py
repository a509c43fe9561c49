from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service: str = "joint_evaluation"
    document_grant_secret: str | None = Field(
        default=None,
        description="Key of the document grants for evaluators (the same value in proposal_intake); default: "
        "derived from the HS256 JWT secret",
    )
