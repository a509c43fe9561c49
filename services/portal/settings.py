"""The portal's settings: JOINTCALL_PORTAL_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.http.oidc import OidcSettings
from shared.settings import DEV_JWT_SECRET


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOINTCALL_PORTAL_", extra="ignore")

    api_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Where the services' APIs are (their path prefixes below it)"
    )
    # Full stack: each service's own base URL, by its path prefix (e.g. {"/joint-evaluation": "http://je:8000"});
    # a path under a prefix named here goes to that URL without the prefix.
    service_urls: dict[str, str] = Field(default_factory=dict)
    session_secret: str = Field(default="jointcall-portal-development-session-secret", min_length=16)
    cookie_secure: bool = False
    # The development sign-in page signs HS256 tokens with the services' development secret; it is off whenever
    # OpenID Connect is configured (JOINTCALL_OIDC_ISSUER and _CLIENT_ID), whatever this says.
    dev_sign_in: bool = True
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    jwt_secret: str = Field(default=DEV_JWT_SECRET, validation_alias="JOINTCALL_JWT_SECRET")
    session_max_age_s: int = 8 * 3600
    # How long a published call's configuration, as call_definition answered, is reused by the pages (seconds;
    # 0: asked on every page). An amendment shows on the pages at most this much later.
    call_cache_s: float = Field(default=5.0, ge=0)
