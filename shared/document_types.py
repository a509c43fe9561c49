"""The documents a call asks for: what an agency configures, what proposal_intake checks at upload.

A document type is part of the call configuration (shared.calls.CallConfiguration.documents) and travels
whole with it in call.* events. Field-level checks live here; the checks relating a type to the rest of
the call (unique keys, region filters of participating regions, page limits only for PDFs) are in
services/call_definition/domain/documents.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared import limits
from shared.text import StorableModel

MEBIBYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEBIBYTE
MAX_BYTES_LIMIT = 200 * MEBIBYTE

# The media types proposal_intake can recognise from a file's first bytes (it never trusts the header).
MediaType = Literal["application/pdf", "image/png", "image/jpeg", "application/zip"]
Reader = Literal["evaluators", "regions"]
_PDF_ONLY: list[MediaType] = ["application/pdf"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]


class DocumentType(StorableModel):
    """One kind of document a proposal carries: the narrative, a budget annex, each partner's letter."""

    model_config = ConfigDict(extra="forbid")

    key: Slug = Field(examples=["narrative", "letter_of_commitment", "de_minimis"])
    name: Text
    description: str = Field(default="", max_length=2000)
    required: bool = True
    per: Literal["proposal", "partner"] = Field(
        default="proposal", description="One for the proposal, or one from each partner"
    )
    regions: list[RegionCode] | None = Field(
        default=None,
        max_length=limits.MAX_REGIONS,
        description="Per partner only: asked only of the partners of these regions (e.g. a regional form)",
    )
    media_types: list[MediaType] = Field(
        default_factory=lambda: _PDF_ONLY.copy(),
        min_length=1,
        max_length=10,
        description="Recognised from the content, not from what the upload claims",
    )
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1, le=MAX_BYTES_LIMIT)
    max_pages: int | None = Field(default=None, ge=1, le=5000, description="PDFs only")
    readable_by: list[Reader] = Field(
        default_factory=list,
        max_length=2,
        description="Besides the consortium and the agency (who read every document): evaluators of the "
        "proposal, and for proposal-level types the regions of its partners (a partner's own documents are "
        "always readable by its region)",
    )

    def asked_of(self, region_code: str | None) -> bool:
        """Whether a partner of this region must (or may) give one (per-partner types only)."""
        return self.regions is None or region_code in self.regions
