"""HTTP interface of call_definition."""
