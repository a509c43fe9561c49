"""Who calls: a role and its scope, and the person (token subject) behind them.

Roles: `agency` (call administration), `region:<code>`, `consortium:<applicant id>`, `evaluator:<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.tokens import SCOPED_ROLES, Role, parse_role

__all__ = ["SCOPED_ROLES", "Principal", "Role", "parse_role"]

ACTOR_MAX = 200  # audit_log.actor


@dataclass(frozen=True)
class Principal:
    role: Role
    scope: str | None
    subject: str

    @property
    def label(self) -> str:
        """The role and its scope, e.g. `region:AT-4`: what the principal may do, and whose data it sees."""
        return f"{self.role.value}:{self.scope}" if self.scope else self.role.value

    @property
    def actor(self) -> str:
        """How the principal appears in audit records: the role and the person, e.g. `region:AT-4 (3f2a-...)`.

        The person is the token's subject (`sub`); a token whose subject is its role (`jointcall token region:AT-4`
        without --subject) names the role alone."""
        label = self.label
        if not self.subject or self.subject == label:
            return label
        room = ACTOR_MAX - len(label) - 3
        subject = self.subject if len(self.subject) <= room else self.subject[: room - 1] + "…"
        return f"{label} ({subject})"
