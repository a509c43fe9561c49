"""The agency reads a call's audit trail as this service recorded it: newest first, filtered by who and what;
404 for a call this service has not heard of. The kernel's use case over this service's tables."""

from __future__ import annotations

from shared.audit import CallAudit

from ..models import audit_log, call_copies

list_audit = CallAudit(audit_log, call_copies)
