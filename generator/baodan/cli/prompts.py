"""Questions asked on the terminal: rich's prompts, with their complaints in Chinese."""

from __future__ import annotations

from rich.prompt import Confirm

from baodan.cli.common import out


class YesNo(Confirm):
    """A yes/no question that asks again in Chinese when the answer is neither."""

    validate_error_message = "[prompt.invalid]请回答 y（是）或 n（否）"


def confirmer(yes: bool):
    """The question a command asks before an unusual change; ``--yes`` answers it for scripts.
    At the end of input (a script without --yes) the prompt raises EOFError: cancelled."""

    def confirm(question: str) -> bool:
        return yes or YesNo.ask(question, default=False, console=out)

    return confirm
