"""HTTP interface of joint_evaluation."""
