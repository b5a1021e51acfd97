"""`python -m baodan …` runs the CLI (handy in a checkout without an install)."""

from baodan.entry import main

main()
