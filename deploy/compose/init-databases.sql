-- Runs once, on the first start of an empty PostgreSQL volume (docker-entrypoint-initdb.d), as the
-- POSTGRES_USER of docker-compose.yml, who owns the four service databases. Local use only: in
-- Kubernetes, CloudNativePG creates one role and one database per service (deploy/base/postgres.yaml).
CREATE DATABASE jointcall_call_definition;
CREATE DATABASE jointcall_proposal_intake;
CREATE DATABASE jointcall_regional_eligibility;
CREATE DATABASE jointcall_joint_evaluation;
CREATE DATABASE jointcall_s3_strategy;
CREATE DATABASE jointcall_project_monitoring;
