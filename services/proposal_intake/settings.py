from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """proposal_intake's own settings read JOINTCALL_PROPOSAL_INTAKE_<NAME> (the common ones JOINTCALL_<NAME>)."""

    model_config = SettingsConfigDict(populate_by_name=True)

    service: str = "proposal_intake"
    call_definition_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias="JOINTCALL_PROPOSAL_INTAKE_CALL_DEFINITION_URL",
        description="Base URL of call_definition's public API, asked for a published call whose event has not "
        "arrived yet (read-your-writes right after `publish`; embedded mode reaches the app in-process instead)",
    )
