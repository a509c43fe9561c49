"""HTTP interface of proposal_intake."""
