"""Loaded records made smaller in memory, without changing a value: shared field-name sets,
and field dicts that share their keys.

Pydantic keeps, in every model instance, the set of the field names its data gave
(``__pydantic_fields_set__``, for ``exclude_unset`` and ``model_fields_set``). Loaded
records have a few hundred distinct such sets between them, but each instance had its own:
a third of a loaded firm's memory (60 of 185 MB at 2,000 clients). baodan never reads them
(tests/test_field_sets.py keeps it so), so records with the same fields share one set.

Each instance's values are a dict of its own that pydantic builds, hash table and keys
included: 832 bytes for a policy's 26 fields. CPython can keep the keys of many dicts in one
table ("split" dicts, as it does for the attributes of plain objects), each dict holding only
its values (296 bytes); a model with many fields gets such a dict, equal to pydantic's,
in the same order. Together a sixth less memory for a loaded firm.

Done where a record is parsed, and again in the loading process for records parsed in a
worker process (unpickling builds pydantic's dicts and sets anew).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import get_args

from pydantic import BaseModel

_SHARED: dict[frozenset[str], set[str]] = {}


def compact(record: BaseModel) -> None:
    """Give ``record`` and every model inside it the shared set of its field names, and a
    split dict of its values where that is smaller."""
    stack = [record]
    while stack:
        model = stack.pop()
        key = frozenset(model.__pydantic_fields_set__)
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = set(key)
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        values = model.__dict__
        layout = _layout(type(model))
        if layout is not None and len(values) == len(layout):
            values = layout.copy()  # a split dict: the keys stay shared
            values.update(model.__dict__)
            object.__setattr__(model, "__dict__", values)
        for name in _model_fields(type(model)):
            value = values[name]
            if isinstance(value, BaseModel):
                stack.append(value)
            elif isinstance(value, list | tuple):
                stack.extend(v for v in value if isinstance(v, BaseModel))
            elif isinstance(value, dict):
                stack.extend(v for v in value.values() if isinstance(v, BaseModel))


@cache
def _layout(cls: type[BaseModel]) -> dict | None:
    """A dict of ``cls``'s fields, in order, whose copies share its keys; None where such a
    dict is not smaller than a plain one (a model of few fields; a Python whose dicts do
    not split)."""
    fields = list(cls.model_fields)
    holder = type("Layout", (), {})()  # a plain object stores its attributes split
    for name in fields:
        setattr(holder, name, None)
    layout = holder.__dict__
    if list(layout) != fields or sys.getsizeof(layout) >= sys.getsizeof(dict.fromkeys(fields)):
        return None
    return layout


@cache
def _model_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose values may hold models (by their types): the others, most
    of them, need no look."""
    return tuple(name for name, f in cls.model_fields.items() if _may_hold_model(f.annotation))


def _may_hold_model(annotation) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(arg) for arg in get_args(annotation))
