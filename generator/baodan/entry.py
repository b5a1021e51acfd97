"""The `baodan` command's entry point.

Importing the CLI (pydantic models, typer, rich) allocates several hundred thousand objects
and frees almost none; the cyclic garbage collector would walk them again and again while
they load. So it is paused for the imports and what they made is frozen out of later
collections. Every command is faster to start by about a tenth.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from baodan.cli.app import main as run
    finally:
        gc.freeze()
        gc.enable()
    run()
