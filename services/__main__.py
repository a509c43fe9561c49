"""`python -m services` is the `jointcall` command."""

from services.cli import main

main()
