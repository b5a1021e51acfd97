"""The policy category taxonomy, read from the data file beside the code."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def taxonomy() -> dict:
    return yaml.safe_load(
        resources.files("baodan").joinpath("data/taxonomy.yaml").read_text("utf-8")
    )


def category_name(code: str) -> str:
    return taxonomy()["categories"].get(code, {}).get("name", code)


def subcategory_name(category: str, sub: str) -> str:
    return taxonomy()["categories"].get(category, {}).get("subcategories", {}).get(sub, sub)


def category_choices() -> str:
    return "、".join(f"{c}（{v['name']}）" for c, v in taxonomy()["categories"].items())
