"""Pure S3 logic: code lists, priorities, import validation, the synergy matrix, topics, relatedness, charts."""
