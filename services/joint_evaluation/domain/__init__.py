"""Pure evaluation logic: scoring, consensus, ranking, allocation, assignment (no I/O)."""
