"""HTTP plumbing shared by the four services: problems, correlation ids, auth, health."""
