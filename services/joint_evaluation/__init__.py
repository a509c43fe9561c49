"""joint_evaluation: experts, scores, ranking, funding decisions and consolidated results."""
