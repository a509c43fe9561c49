from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
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
