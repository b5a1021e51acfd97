"""What the demo generator and its lifecycle and service parts share: the client shape they
fill in and small helpers over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from baodan.demo.tables import (
    LONG_TERM,
)

# --------------------------------------------------------------------------------------------
# Small helpers.


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _money(cents: int) -> int | Decimal:
    """Money from a whole number of fen: an int when it is whole yuan."""
    return cents // 100 if cents % 100 == 0 else Decimal(cents).scaleb(-2)


def _yuan(value: float, step: int = 1) -> int:
    return max(step, round(value / step) * step)


def _wan(value) -> str:
    value = Decimal(value)
    if value >= 10000 and value % 100 == 0:
        return f"{(value / 10000).normalize():f} 万元"
    return f"{value:,.2f} 元"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (二十一), larger numbers in digits, as a branch is numbered."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    digits = "零一二三四五六七八九"
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] * bool(ones))


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vin_check(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    return "X" if total % 11 == 10 else str(total % 11)


def _org_check(body: str) -> str:
    """GB 11714 organisation code check character for the 8-character body."""
    value = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    total = sum(value[c] * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


@dataclass(eq=False)
class _Person:
    name: str
    sex: str
    birth: date
    id_number: str
    relation: str = "本人"
    mobile: str | None = None
    dependant: bool = False


@dataclass(eq=False)
class _Client:
    id: str
    kind: str
    name: str
    city: str
    data: dict
    since: date
    self_person: _Person | None = None
    family: list[_Person] = field(default_factory=list)
    industry: tuple | None = None
    uscc: str | None = None
    contact: tuple[str, str] | None = None  # (name, title) of the main company contact
    address: str = ""
    left_on: date | None = None
    vehicles: list[dict] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    n_policies: int = 0
    forced: list[tuple[str, str]] = field(default_factory=list)
    special: list[str] = field(default_factory=list)


def interaction_names(c: _Client) -> list[tuple[dict, str]]:
    """A client's interactions by date, each with its file name <date>-<n>."""
    per_day: dict[date, int] = {}
    out = []
    for i in sorted(c.interactions, key=lambda x: x["date"]):
        per_day[i["date"]] = per_day.get(i["date"], 0) + 1
        out.append((i, f"{i['date']}-{per_day[i['date']]}"))
    return out


def claim_type(p: dict) -> str | None:
    cat, sub = p["category"], p["subcategory"]
    if cat == "health":
        return "medical"
    if cat == "accident":
        return "accident"
    if cat == "life":
        return "death"
    if cat == "auto":
        return "auto"
    if cat in ("commercial_property", "home", "engineering", "cargo"):
        return "property"
    if cat == "liability" and sub in ("employer", "public"):
        return "accident"
    return None


def add_note(policy: dict, text: str) -> None:
    """Append to a policy's notes; ``notes`` stays just before the internal keys."""
    policy["notes"] = f"{policy['notes']}\n{text}" if policy.get("notes") else text
    for key in [k for k in policy if k.startswith("_")]:
        policy[key] = policy.pop(key)


def renewable(p: dict) -> bool:
    """A one-year policy the firm reminds the client to renew."""
    key = (p["category"], p["subcategory"])
    return (
        key not in LONG_TERM
        and p["category"] != "engineering"
        and p["subcategory"] not in ("travel", "surety")
    )


def hash_cat(cat: str) -> int:
    """A stable small number per category (str hash is salted per process)."""
    return sum(map(ord, cat)) % 10
