"""Settings common to every service, read from JOINTCALL_* environment variables.

Each service subclasses ServiceSettings and names itself; its database URL comes from
JOINTCALL_<SERVICE>_DATABASE_URL, or defaults to a SQLite file in the data folder (embedded mode).
The fields `service` and `database_url` are never read from the environment: a JOINTCALL_SERVICE or
JOINTCALL_DATABASE_URL would apply to every service at once (one name, one database for all four).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from shared.db import sqlite_url_for
from shared.http.oidc import OidcSettings
from shared.tokens import DEV_JWT_SECRET as DEV_JWT_SECRET

NOT_FROM_ENVIRONMENT = frozenset({"service", "database_url"})
IGNORED_VARIABLES = frozenset(f"JOINTCALL_{name.upper()}" for name in NOT_FROM_ENVIRONMENT)

logger = logging.getLogger(__name__)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOINTCALL_", extra="ignore")

    service: str = Field(default="", description="Set by each service's subclass; not read from the environment.")
    data_dir: Path = Field(default=Path("./jointcall-data"), description="Folder of the SQLite files.")
    database_url: str = Field(
        default="", description="In code only; from the environment: JOINTCALL_<SERVICE>_DATABASE_URL."
    )
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
    # JOINTCALL_OIDC_*: the OpenID provider whose RS256/ES256 access tokens are accepted besides HS256 ones.
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    log_level: str = "INFO"
    metrics_port: int | None = Field(default=None, description="Worker: serve /metrics on this port")
    db_pool_size: int = Field(default=20, ge=1, description="PostgreSQL connections kept per process")
    sandbox: bool = Field(
        default=False,
        description="Embedded default only (`jointcall up --sandbox`): an agency may move the clock forward; "
        "the full stack's commands refuse to start with it",
    )
    db_max_overflow: int = Field(
        default=0, ge=0, description="extra connections beyond the pool, each closed again once returned"
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="The largest request body a route takes (413 beyond)"
    )
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1024,
        description="The largest body of a route that takes documents (each document type has its own, smaller "
        "limit, refused as the body streams)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only the constructor's arguments may set `service` and `database_url` (no .env file or secrets
        # directory is configured, so the environment is the only other source).
        return (init_settings, _EnvironmentWithout(settings_cls, NOT_FROM_ENVIRONMENT))

    @model_validator(mode="after")
    def _resolve_database_url(self) -> ServiceSettings:
        for name in sorted(IGNORED_VARIABLES & os.environ.keys()):
            _warn_ignored(name)
        if not self.database_url and self.service:
            env_name = f"JOINTCALL_{self.service.upper()}_DATABASE_URL"
            self.database_url = os.environ.get(env_name) or sqlite_url_for(self.data_dir / f"{self.service}.db")
        return self


@functools.cache
def _warn_ignored(name: str) -> None:
    logger.warning("%s is ignored: each service names itself and reads JOINTCALL_<SERVICE>_DATABASE_URL", name)


class _EnvironmentWithout(EnvSettingsSource):
    """The environment, minus some fields."""

    def __init__(self, settings_cls: type[BaseSettings], fields: frozenset[str]) -> None:
        super().__init__(settings_cls)
        self._fields = fields

    def __call__(self) -> dict[str, Any]:
        return {name: value for name, value in super().__call__().items() if name not in self._fields}


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to anything


def refuse_public_bind_with_development_secret(host: str, jwt_secret: str) -> None:
    """Refuse to serve beyond this machine with the public development secret: anyone could forge a token.

    Raises SystemExit naming the setting to set."""
    if jwt_secret == DEV_JWT_SECRET and not _is_loopback(host):
        raise SystemExit(
            f"refusing to listen on {host} with the public development JWT secret: anyone could forge a token. "
            "Set JOINTCALL_JWT_SECRET (e.g. `openssl rand -hex 32`), or listen on 127.0.0.1."
        )
