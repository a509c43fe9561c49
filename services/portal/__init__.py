"""The portal: server-rendered pages over the four services' public HTTP APIs (no business data)."""
