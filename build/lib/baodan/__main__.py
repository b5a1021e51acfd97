"""`python -m baodan …` runs the CLI (handy in a checkout without an install)."""

from .cli import main

main()
