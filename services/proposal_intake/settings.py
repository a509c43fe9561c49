from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """proposal_intake's own settings read JOINTCALL_PROPOSAL_INTAKE_<NAME> (the common ones JOINTCALL_<NAME>)."""

    model_config = SettingsConfigDict(populate_by_name=True)

    service: str = "proposal_intake"
    document_store: Literal["files", "database"] | None = Field(
        default=None,
        description="Where documents' bytes live: files under the data folder, or chunk rows in this service's "
        "database (default: files on SQLite, the database on PostgreSQL)",
    )
    document_orphan_grace_s: float = Field(
        default=3600, ge=0, description="Bytes no document links are dropped once untouched this long"
    )
    document_grant_secret: str | None = Field(
        default=None,
        description="Key of the download grants joint_evaluation signs for evaluators (the same value there); "
        "default: derived from the HS256 JWT secret",
    )
    call_definition_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias="JOINTCALL_PROPOSAL_INTAKE_CALL_DEFINITION_URL",
        description="Base URL of call_definition's public API, asked for a published call whose event has not "
        "arrived yet (read-your-writes right after `publish`; embedded mode reaches the app in-process instead)",
    )
