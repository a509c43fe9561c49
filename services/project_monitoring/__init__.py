"""project_monitoring: from the funding decision to the final report."""
