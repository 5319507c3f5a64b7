"""moto's instance tracker, made to hold its model objects weakly.

moto's `BaseModel.__new__` appends every model object it ever builds to its class's
`instances_tracked` list (for the /moto-api/data.json dashboard and S3's reset), and nothing takes
them out again. Every DynamoDB item ever written stays in memory, and so does every copy moto makes
of one (a query or a scan copies each item it returns, an update copies the item it changes, and a
TransactWriteItems copied whole tables), every SQS message and every copy a receive makes of it.
moto 5.2.5 kept 320,000 items for 400 two-item transactions.

Here the tracker holds weak references: the dashboard and S3's reset still see every object that is
alive, and an object nothing else holds is freed as it would be without the tracker.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from moto.core.common_models import BaseModel

_UPSTREAM_NEW = BaseModel.__dict__["__new__"]
_FIRST_SWEEP = 64  # appends before the first sweep of dead references


class WeakInstances:
    """What moto does with `instances_tracked` (append, iterate, len), over weak references, oldest first.

    A plain list of `weakref.ref`s (no callback, so an object's one shared basic reference), swept of
    dead ones whenever it has grown by an eighth since the last sweep (8 looks an append, amortised):
    ~88 bytes an object alive. A `WeakValueDictionary` keyed by a serial number (moto's models may
    define __eq__ without __hash__, so no WeakSet) cost 145-168, ~5.4 KB a submission on the local
    stack against ~3.1 KB now (tracemalloc; docs/operations.md, "Local stack")."""

    def __init__(self, instances: Iterable[object] = ()) -> None:
        self._refs: list[weakref.ref[object]] = []
        self._sweep_at = _FIRST_SWEEP
        for instance in instances:
            self.append(instance)

    def append(self, instance: object) -> None:
        refs = self._refs
        refs.append(weakref.ref(instance))
        if len(refs) >= self._sweep_at:
            refs = [ref for ref in refs if ref() is not None]
            self._refs = refs
            self._sweep_at = max(_FIRST_SWEEP, len(refs) + len(refs) // 8)

    def _alive(self) -> list[object]:
        return [instance for instance in (ref() for ref in self._refs) if instance is not None]

    def __iter__(self) -> Iterator[object]:
        # A snapshot: S3's reset disposes objects while it iterates, and the collector may free others.
        return iter(self._alive())

    def __len__(self) -> int:
        return len(self._alive())


def _new_tracked_weakly(cls: type[BaseModel], *args: Any, **kwargs: Any) -> BaseModel:
    instance = super(BaseModel, cls).__new__(cls)  # what moto's BaseModel.__new__ does, bar the list
    tracked = cls.instances_tracked  # type: ignore[attr-defined]
    if not isinstance(tracked, WeakInstances):
        # The first object of this class since start, or since moto's reset put a plain list back.
        tracked = WeakInstances(tracked)
        cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance


def apply() -> None:
    BaseModel.__new__ = staticmethod(_new_tracked_weakly)  # type: ignore[method-assign]


def remove() -> None:
    """moto's own tracker again, with plain lists, as if this module had never run."""
    BaseModel.__new__ = _UPSTREAM_NEW  # type: ignore[method-assign]
    for model in _subclasses(BaseModel):
        tracked = model.__dict__.get("instances_tracked")
        if isinstance(tracked, WeakInstances):
            model.instances_tracked = list(tracked)  # type: ignore[attr-defined]


def is_applied() -> bool:
    return BaseModel.__dict__["__new__"] is not _UPSTREAM_NEW


def _subclasses(cls: type) -> Iterator[type]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)
