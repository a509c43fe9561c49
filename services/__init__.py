"""The four jointcall services, the embedded composition and the `jointcall` command."""
