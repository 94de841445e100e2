"""Validated data files kept between runs, because pydantic builds a model's validator at its first use.

`postmortem check` reads rules.yaml, context.yaml and signals.yaml at every start. Parsing is quick; the first
`model_validate` of each model is not: pydantic builds the model's core schema then (the models defer it, so
that importing pipeline.models stays cheap), about 35 ms for the rule file alone, a tenth of the check's
start-up. `validated` keeps the validated model, pickled, in the library home's cache folder, one file per
model and source file, and returns it while the file's text and the code of the model's classes are the
same. Anything unexpected (no file, another text, another model code, a broken pickle, a folder we cannot
write) means validating afresh, so a stale or broken cache costs time, never a different result. A cache file
builds nothing but the package's own models (`_ModelsOnly`), so one planted by someone else runs no code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], text: str, source: Path | str, build: Callable[[], M]) -> M:
    """`build()` (parse and validate `text` as `model`), or the model kept from an earlier run of it."""
    path = _cache_file(model, source)
    key = _key(model, text)
    try:
        with path.open("rb") as handle:
            kept_key, value = _ModelsOnly(handle).load()
        if kept_key == key and type(value) is model:
            return value
    except Exception:  # noqa: BLE001, S110 (no file, another version's pickle, a broken file: build afresh)
        pass
    value = build()
    _save(path, key, value)
    return value


class _ModelsOnly(pickle.Unpickler):
    """Builds only the package's own models and enums: a cache file planted by someone else (a CI cache shared
    between jobs, a writable home) cannot call a function, so it can run no code; it is only read as stale."""

    def find_class(self, module: str, name: str) -> type:
        found = super().find_class(module, name) if module.split(".")[0] == "pipeline" else None
        if isinstance(found, type) and issubclass(found, BaseModel | Enum):
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not one of the package's models")


def _cache_file(model: type[BaseModel], source: Path | str) -> Path:
    from pipeline.home import library_home

    where = hashlib.sha1(str(source).encode(), usedforsecurity=False).hexdigest()[:12]
    return library_home() / "cache" / f"data-{model.__module__}.{model.__qualname__}-{where}.pickle"


def _key(model: type[BaseModel], text: str) -> tuple[str, str]:
    return hashlib.sha256(text.encode()).hexdigest(), _code_of(model)


@cache
def _code_of(model: type[BaseModel]) -> str:
    """A fingerprint of the code that validates `model`: pydantic's version, Python's, and the size and
    modification time of every module file defining the model or a model its fields hold."""
    import pydantic

    files = sorted({_module_file(cls) for cls in _models_in(model)} - {""})
    stamps = []
    for name in files:
        try:
            stat = os.stat(name)
        except OSError:
            stamps.append(f"{name}:missing")
            continue
        stamps.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join([pydantic.VERSION, sys.version, *stamps])


def _models_in(model: type[BaseModel]) -> set[type[BaseModel]]:
    """`model`, its base models, and every model its fields can hold, however deeply."""
    found: set[type[BaseModel]] = set()
    todo: list[object] = [model]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in found:
                continue
            found.add(item)
            todo.extend(base for base in item.__mro__ if isinstance(base, type) and issubclass(base, BaseModel))
            todo.extend(field.annotation for field in item.model_fields.values())
        elif isinstance(item, types.UnionType | types.GenericAlias) or typing.get_origin(item) is not None:
            todo.extend(typing.get_args(item))
    return found


def _module_file(cls: type) -> str:
    module = sys.modules.get(cls.__module__)
    return str(getattr(module, "__file__", "") or "")


def _save(path: Path, key: tuple[str, str], value: BaseModel) -> None:
    from pipeline.output import write_cache_file

    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    write_cache_file(path, data)
