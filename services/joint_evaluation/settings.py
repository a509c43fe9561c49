from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """joint_evaluation's own settings read JOINTCALL_JOINT_EVALUATION_<NAME> (the common ones JOINTCALL_<NAME>)."""

    model_config = SettingsConfigDict(populate_by_name=True)

    service: str = "joint_evaluation"
    document_grant_secret: str | None = Field(
        default=None,
        description="Key of the document grants for evaluators (the same value in proposal_intake); default: "
        "derived from the HS256 JWT secret",
    )
    call_definition_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias="JOINTCALL_JOINT_EVALUATION_CALL_DEFINITION_URL",
        description="Base URL of call_definition's public API, asked for a published call whose event has not "
        "arrived yet (evaluators registered right after `publish`; embedded mode reaches the app in-process)",
    )
