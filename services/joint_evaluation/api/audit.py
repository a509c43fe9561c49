"""The call's audit trail in joint_evaluation (agency): every change recorded here about the call, its proposals and
what hangs on them, newest first, filtered by who and what, cursor-paginated."""

from __future__ import annotations

from shared.http.audit_route import audit_router

from ..use_cases.list_audit import list_audit

router = audit_router(list_audit)
