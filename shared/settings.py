"""Settings common to every service, read from JOINTCALL_* environment variables.

Each service subclasses ServiceSettings and names itself; its database URL comes from
JOINTCALL_<SERVICE>_DATABASE_URL, or defaults to a SQLite file in the data folder (embedded mode).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.db import sqlite_url_for

DEV_JWT_SECRET = "jointcall-development-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOINTCALL_", extra="ignore")

    service: str = ""
    data_dir: Path = Field(default=Path("./jointcall-data"), description="Folder of the SQLite files.")
    database_url: str = Field(default="", description="Overridden by JOINTCALL_<SERVICE>_DATABASE_URL.")
    rabbitmq_url: str | None = Field(default=None, description="AMQP URL; unset means the in-process bus.")
    exchange: str = "jointcall.events"
    queue_prefix: str = "jointcall"
    queue_type: Literal["classic", "quorum"] = "classic"
    prefetch: int = Field(default=16, ge=1)
    max_delivery_attempts: int = Field(default=5, ge=1)
    retry_delay_ms: int = Field(default=2000, ge=1)
    relay_batch_size: int = Field(default=100, ge=1)
    relay_poll_interval_s: float = Field(default=0.2, gt=0)
    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithm: str = "HS256"
    log_level: str = "INFO"
    metrics_port: int | None = Field(default=None, description="Worker: serve /metrics on this port")

    @model_validator(mode="after")
    def _resolve_database_url(self) -> ServiceSettings:
        if not self.database_url and self.service:
            env_name = f"JOINTCALL_{self.service.upper()}_DATABASE_URL"
            self.database_url = os.environ.get(env_name) or sqlite_url_for(self.data_dir / f"{self.service}.db")
        return self
