"""What the app derives from the calls it knows, kept between requests: an explicit object the app owns.

Every draft, pre-check and submission reads its call's stored snapshot (JSON text) in the same statement as the
proposal; parsing and validating it (a whole call configuration, every region's rules) and deriving the rule
engine's inputs and the submission requirements costs far more than the read. A `CallCache` keeps them per
distinct snapshot text.

Invalidation: the key is the snapshot text itself, so an amended or re-published call (a new text, read at
every request) is a new entry at once and its old entry is never served for it; entries beyond `capacity` go
oldest first (calls are few, amendments rare); `clear()` drops everything. Nothing cached is ever mutated by
its readers (the parsed models and the engine's inputs are only read).

The same object keeps the drafts it last parsed (`draft`), keyed by their stored JSON text too: the pre-check,
the submission that follows it and a retry of that submission each read the same draft text, and validating it
(every text field checked and normalised, every amount) was the largest part of a submission's own work. The text
is the key, so a changed draft is a new entry; the parse is a pure function of the text, and a parsed draft is
never mutated by its readers (they copy: `with_partner_keys`, `model_dump`), so a hit is the very value a parse
would give. At most `draft_capacity` drafts are kept, the least recently used going first.

One instance per app (`app.state.call_cache`, made on the first request that needs it: api/dependencies.py), so two
apps in one process (the embedded stack, tests) never share entries.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field

from shared.calls import CallConfiguration
from shared.errors import NotFound
from shared.events import CallSnapshot
from shared.proposals import ProposalDraft

from .domain.precheck import CallRules, call_rules, engine_digest
from .domain.requirements import SubmissionRequirements, submission_requirements


class CallNotKnownHere(NotFound):
    """No copy of the call here (yet): a 404 unless the caller back-fills it (see backfill_call)."""


@dataclass
class KnownCall:
    """One stored snapshot, parsed, with what is derived from it (each built the first time it is asked for)."""

    snapshot: CallSnapshot
    config: CallConfiguration
    _rules: CallRules | None = None
    _requirements: dict[str, SubmissionRequirements] = field(default_factory=dict)

    @property
    def rules(self) -> CallRules:
        if self._rules is None:
            self._rules = call_rules(self.config)
        return self._rules

    def requirements(self, call_id: str) -> SubmissionRequirements:
        built = self._requirements.get(call_id)
        if built is None:
            built = self._requirements[call_id] = submission_requirements(call_id, self.config)
        return built


class CallCache:
    def __init__(self, capacity: int = 32, draft_capacity: int = 256) -> None:
        self.capacity = capacity
        self.draft_capacity = draft_capacity
        self._known: dict[str, KnownCall] = {}
        self._drafts: OrderedDict[str, ProposalDraft] = OrderedDict()
        self._engine_digest: str | None = None

    def known(self, text: str | None, call_id: str) -> KnownCall:
        """The call of a stored snapshot's JSON text (None: no copy of the call here, 404)."""
        known = self._known.get(text) if text is not None else None
        if known is None and text is not None:
            snapshot = CallSnapshot.model_validate(json.loads(text))
            if snapshot.configuration is not None:
                known = KnownCall(snapshot, snapshot.configuration)
                if len(self._known) >= self.capacity:
                    self._known.pop(next(iter(self._known)))  # the oldest
                self._known[text] = known
        if known is None:
            raise CallNotKnownHere(f"No published call {call_id}.")
        return known

    def draft(self, text: str) -> ProposalDraft:
        """The draft of a stored draft's JSON text, validated (ProposalDraft.model_validate_json) once per text."""
        draft = self._drafts.get(text)
        if draft is None:
            draft = self._drafts[text] = ProposalDraft.model_validate_json(text)
            if len(self._drafts) > self.draft_capacity:
                self._drafts.popitem(last=False)  # the least recently used
        else:
            self._drafts.move_to_end(text)
        return draft

    @property
    def engine_digest(self) -> str:
        """The digest of the code that judges verdicts (domain.precheck.engine_digest), read once per cache."""
        if self._engine_digest is None:
            self._engine_digest = engine_digest()
        return self._engine_digest

    def clear(self) -> None:
        self._known.clear()
        self._drafts.clear()
        self._engine_digest = None

    def __len__(self) -> int:
        return len(self._known)
