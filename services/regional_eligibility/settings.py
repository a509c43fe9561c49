from __future__ import annotations

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service: str = "regional_eligibility"
