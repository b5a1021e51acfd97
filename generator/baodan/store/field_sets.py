"""One set of field names for all loaded records (and their parts) given the same fields.

Pydantic keeps, in every model instance, the set of the field names its data gave
(``__pydantic_fields_set__``, for ``exclude_unset`` and ``model_fields_set``). Loaded
records have a few hundred distinct such sets between them, but each instance had its own:
a third of a loaded firm's memory (60 of 185 MB at 2,000 clients). baodan never reads them
(tests/test_field_sets.py keeps it so), so records with the same fields share one set. Done
where a record is parsed, in a worker process too, so a batch sent back pickles each set once.
"""

from __future__ import annotations

from functools import cache
from typing import get_args

from pydantic import BaseModel

_SHARED: dict[frozenset[str], set[str]] = {}


def share_field_sets(record: BaseModel) -> None:
    """Give ``record`` and every model inside it the shared set of its field names."""
    stack = [record]
    while stack:
        model = stack.pop()
        key = frozenset(model.__pydantic_fields_set__)
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = set(key)
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        values = model.__dict__
        for name in _model_fields(type(model)):
            value = values[name]
            if isinstance(value, BaseModel):
                stack.append(value)
            elif isinstance(value, list | tuple):
                stack.extend(v for v in value if isinstance(v, BaseModel))
            elif isinstance(value, dict):
                stack.extend(v for v in value.values() if isinstance(v, BaseModel))


@cache
def _model_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose values may hold models (by their types): the others, most
    of them, need no look."""
    return tuple(name for name, f in cls.model_fields.items() if _may_hold_model(f.annotation))


def _may_hold_model(annotation) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(arg) for arg in get_args(annotation))
