"""Questions asked on the terminal: rich's prompts, with their complaints in Chinese."""

from __future__ import annotations

from rich.prompt import Confirm


class YesNo(Confirm):
    """A yes/no question that asks again in Chinese when the answer is neither."""

    validate_error_message = "[prompt.invalid]请回答 y（是）或 n（否）"
