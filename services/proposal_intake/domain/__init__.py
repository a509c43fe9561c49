"""Pure proposal logic: when a submission is accepted, what its canonical content is."""
