"""The errors of project_monitoring a client can act on, one per condition, each with its own problem type; and
which operation may answer which (its OpenAPI responses)."""

from __future__ import annotations

from shared.errors import Conflict, ServiceError


class ContractStepRefused(
    Conflict,
    slug="contract-step-refused",
    title="The offer cannot take this step now",
    fields=("offer_status", "project_status", "allowed"),
):
    """The offer cannot take this step: `offer_status` and `project_status` say where it is, `allowed` the steps
    it can take (none once the project has left contracting)."""


class ProjectTransitionRefused(
    Conflict,
    slug="project-transition-refused",
    title="The project cannot move to that status",
    fields=("project_status", "target"),
):
    """The contract step would move the project where its lifecycle does not go from `project_status`."""


class ProjectNotStarted(
    Conflict, slug="project-not-started", title="The project has not started", fields=("project_status",)
):
    """A project reports once it has started."""


class ReportActionRefused(
    Conflict,
    slug="report-action-refused",
    title="The report cannot take this action now",
    fields=("report_status", "allowed"),
):
    """The report cannot take this action: `report_status` says where it is, `allowed` the actions it can take."""


class ReviewRefused(
    Conflict, slug="review-refused", title="The region's review cannot change", fields=("review_status",)
):
    """The region's part of the report is already reviewed, or the action is not a review."""


ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "POST /projects/{proposal_id}/partners/{partner_key}/contract": (ContractStepRefused, ProjectTransitionRefused),
    "PUT /projects/{proposal_id}/reports/{period}": (ProjectNotStarted, ReportActionRefused),
    "POST /projects/{proposal_id}/reports/{period}/reviews": (ReportActionRefused, ReviewRefused),
}
