"""Pure eligibility logic: per-partner verdicts and their consolidation per proposal."""
