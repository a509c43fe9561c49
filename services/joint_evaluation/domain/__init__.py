"""Pure evaluation logic (no I/O): scoring and consensus, ranking, allocation, assignment, and the rules the
service adds around them: conflicts of interest, assessments, requests per region, consolidated results."""
