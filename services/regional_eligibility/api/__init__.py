"""HTTP interface of regional_eligibility."""
