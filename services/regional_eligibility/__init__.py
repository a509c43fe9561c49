"""regional_eligibility: each region checks its own partners; publishes eligibility.decided."""
