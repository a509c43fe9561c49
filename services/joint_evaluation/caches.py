"""What joint_evaluation keeps in memory (shared.cache: each runtime has its own of each kind), and by what key.

Each key is made of everything the kept value is computed from, so a change makes a new key and a kept value is
never read stale; the bound only limits the memory.

- The call's local copy, parsed (a CallSnapshot: validating it is most of a small request's CPU): by (call,
  version, received_at). A stored version never changes (a newer one replaces the row with a higher version);
  received_at tells apart a copy of a transaction that was rolled back.
- A stored funding round, parsed: by (call, version, decided_at). A round is never changed once written (each
  walk is a new version); decided_at tells apart a round of a transaction that was rolled back.
- A fixed ranking's stored lines: by (call, completed_at). Once fixed a ranking never changes.
- The current funding's answer (GET funding), as its JSON: by the round's key, the regions' confirmations as
  stored, the publication, the reader's region and the view: everything the answer is written from.
- The funding preview (a simulation, as the selection meeting asks for it before the decision), as its answer's
  JSON: by `PreviewKey`, everything the walk reads and the view (see ``funding.preview_key``).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from shared.cache import CacheKind
from shared.events import CallSnapshot, FundingDecided

CALL_COPIES: CacheKind[tuple[str, int, datetime], CallSnapshot] = CacheKind("call_copies", 32)  # repository.CallCopyKey
ROUNDS: CacheKind[tuple[str, int, datetime], FundingDecided] = CacheKind("funding_rounds", 32)
FIXED_RANKINGS: CacheKind[tuple[str, datetime], list[dict[str, Any]]] = CacheKind("fixed_rankings", 16)
# (call, completed_at, (entries, sum of their revisions), declines, budgets and rates, top-ups, amounts around the
# line only)
PreviewKey = tuple[str, datetime, tuple[int, int], tuple[tuple[str, str], ...], str, tuple[tuple[str, str], ...], bool]
# views.FundingInputs.key() (the round, the confirmations, published_at), the reader's region, the view
FundingKey = tuple[Hashable, ...]
FUNDING_ANSWERS: CacheKind[FundingKey, bytes] = CacheKind("funding_answers", 16)
PREVIEWS: CacheKind[PreviewKey, bytes] = CacheKind("funding_previews", 8)  # 5,000 proposals: 0.35-1.5 MB each
