"""One use case per module: each takes a session (or a connection in a transaction) and data, changes
state, and never commits."""
