from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from shared.settings import ServiceSettings
from shared.webhooks import TargetPolicy

if TYPE_CHECKING:
    from shared.service import Runtime


class Settings(ServiceSettings):
    service: str = "regional_eligibility"

    webhooks_allow_http: bool = Field(
        default=False, description="Accept and deliver plain http webhook URLs: for development and tests only"
    )
    webhooks_allow_list: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated host names and networks (10.20.0.0/16) webhooks may reach although they are "
        "not globally routable: an internal back office. Nothing else that is not public is ever reached.",
    )
    webhooks_max_per_region: int = Field(default=10, ge=1, description="Subscriptions a region may have at once")
    webhooks_connect_timeout_s: float = Field(default=3.0, gt=0)
    webhooks_read_timeout_s: float = Field(default=10.0, gt=0)
    webhooks_max_in_flight: int = Field(default=32, ge=1, description="Deliveries attempted at once, overall")
    webhooks_max_attempts: int = Field(default=12, ge=1, description="Attempts before a delivery reads `failed`")
    webhooks_circuit_failures: int = Field(
        default=10, ge=1, description="Failed attempts in a row that suspend a subscription until its region resumes it"
    )
    webhooks_poll_interval_s: float = Field(default=0.5, gt=0)

    @field_validator("webhooks_allow_list", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [entry.strip() for entry in value.split(",") if entry.strip()]
        return value

    @property
    def webhook_policy(self) -> TargetPolicy:
        return TargetPolicy.of(allow_http=self.webhooks_allow_http, allow_list=self.webhooks_allow_list)

    @property
    def webhook_deadline_s(self) -> float:
        """The most one attempt may take, end to end (a receiver dripping bytes cannot hold it longer)."""
        return self.webhooks_connect_timeout_s + 2 * self.webhooks_read_timeout_s


def settings_of(runtime: Runtime) -> Settings:
    """The service's own settings, as the runtime carries them."""
    settings = runtime.settings
    assert isinstance(settings, Settings), type(settings)
    return settings
