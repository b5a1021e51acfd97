"""`python -m baodan …` runs the CLI (handy in a checkout without an install)."""

from .entry import main

main()
