from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service: str = "project_monitoring"
    clock_interval_s: float = Field(default=1.0, gt=0, description="How often the worker looks for what is overdue")
