"""proposal_intake: proposals, partners, budgets, versions, receipts; publishes proposal.* events."""
