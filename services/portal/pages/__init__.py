"""The portal's pages, one router per group of people (public, sign-in, evaluator, rapporteur, officer)."""
