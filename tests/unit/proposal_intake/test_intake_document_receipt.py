"""The receipt proves which documents were submitted: its hash changes when any byte of any document changes,
and not otherwise (whatever order the documents were linked in)."""

from __future__ import annotations

import hashlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from services.proposal_intake.domain.documents import LinkedDocument, receipt_content
from shared.canonical import sha256_hex
from tests.helpers import proposal_body

DRAFT = proposal_body()
SLOTS = [("narrative", ""), ("budget_annex", ""), ("letter_of_commitment", "p1"), ("letter_of_commitment", "p2")]


def linked(contents: list[bytes]) -> list[LinkedDocument]:
    return [
        LinkedDocument(
            type_key=kind,
            partner_key=partner,
            name=f"{kind}.pdf",
            media_type="application/pdf",
            size=len(content),
            pages=1,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for (kind, partner), content in zip(SLOTS, contents, strict=False)
    ]


def receipt_hash(documents: list[LinkedDocument]) -> str:
    return sha256_hex(receipt_content(DRAFT, documents))


documents_bytes = st.lists(st.binary(min_size=1, max_size=200), min_size=1, max_size=len(SLOTS))


@settings(max_examples=200, deadline=None)
@given(contents=documents_bytes, which=st.integers(min_value=0), at=st.integers(min_value=0), flip=st.integers(1, 255))
def test_changing_any_byte_of_any_document_changes_the_receipt_hash(
    contents: list[bytes], which: int, at: int, flip: int
) -> None:
    index = which % len(contents)
    changed = bytearray(contents[index])
    changed[at % len(changed)] ^= flip  # a different byte at that position
    altered = [*contents[:index], bytes(changed), *contents[index + 1 :]]
    assert receipt_hash(linked(altered)) != receipt_hash(linked(contents))


@settings(max_examples=200, deadline=None)
@given(contents=documents_bytes, order=st.randoms(use_true_random=False))
def test_the_same_bytes_give_the_same_receipt_hash_in_whatever_order_they_were_linked(
    contents: list[bytes], order: random.Random
) -> None:
    documents = linked([bytes(content) for content in contents])  # equal bytes, other objects
    shuffled = list(documents)
    order.shuffle(shuffled)
    assert receipt_hash(shuffled) == receipt_hash(linked(contents))


def test_a_proposal_without_documents_hashes_as_it_always_did() -> None:
    assert receipt_hash([]) == sha256_hex(DRAFT)
