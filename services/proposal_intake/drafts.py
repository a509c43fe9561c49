"""A draft's entity tag: its revision (If-Match on an edit; +1 on every change)."""

from __future__ import annotations

from .models import Proposal


def etag(proposal: Proposal) -> str:
    return f'"{proposal.draft_revision}"'
