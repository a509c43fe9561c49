"""The services, by name."""

from __future__ import annotations

from shared.service import ServiceDefinition

from .call_definition.app import SERVICE as CALL_DEFINITION
from .joint_evaluation.app import SERVICE as JOINT_EVALUATION
from .project_monitoring.app import SERVICE as PROJECT_MONITORING
from .proposal_intake.app import SERVICE as PROPOSAL_INTAKE
from .regional_eligibility.app import SERVICE as REGIONAL_ELIGIBILITY
from .s3_strategy.app import SERVICE as S3_STRATEGY

SERVICES: dict[str, ServiceDefinition] = {
    service.name: service
    for service in (
        CALL_DEFINITION,
        PROPOSAL_INTAKE,
        REGIONAL_ELIGIBILITY,
        JOINT_EVALUATION,
        PROJECT_MONITORING,
        S3_STRATEGY,
    )
}


def service_named(name: str) -> ServiceDefinition:
    try:
        return SERVICES[name.replace("-", "_")]
    except KeyError:
        raise SystemExit(f"unknown service {name!r}; one of: {', '.join(SERVICES)}") from None
