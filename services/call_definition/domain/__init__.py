"""Pure call logic: validation and lifecycle (data in, data out; no I/O)."""
