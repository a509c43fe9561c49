"""The common library of the jointcall services: kept small on purpose."""
