"""One use case per module: each takes a session and data, changes state, and never commits."""
