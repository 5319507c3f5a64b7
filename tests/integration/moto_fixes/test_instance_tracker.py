"""infra/moto_fixes/instance_tracker.py's list of weak references: oldest first, only the living, swept
as it grows, and about half the memory a live object cost in a WeakValueDictionary."""

from __future__ import annotations

import gc
import itertools
import weakref
from typing import Any

from infra.moto_fixes.instance_tracker import WeakInstances
from tests.integration.moto_fixes.probes import bytes_kept_each


class Model:
    """A stand-in for a moto model object: weakly referable, with __eq__ and no __hash__ (as moto's Item)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


def test_it_lists_the_living_oldest_first() -> None:
    tracked = WeakInstances()
    models = [Model() for _ in range(200)]
    for model in models:
        tracked.append(model)
    del models[::3]  # every third dies
    gc.collect()

    assert [id(model) for model in tracked] == [id(model) for model in models]
    assert len(tracked) == len(models)


def test_dead_references_are_swept_as_it_grows() -> None:
    tracked = WeakInstances()
    kept = [Model() for _ in range(1000)]
    for model in kept:
        tracked.append(model)
    for _ in range(100_000):  # copies moto makes and drops at once (a query's answer, say)
        tracked.append(Model())

    assert len(tracked) == 1000
    assert len(tracked._refs) <= 1000 + 1000 // 8 + 1  # never more than an eighth dead


class _PreviousTracker:
    """What the fix used before: a WeakValueDictionary keyed by a serial number."""

    def __init__(self) -> None:
        self._alive: weakref.WeakValueDictionary[int, object] = weakref.WeakValueDictionary()
        self._serial = itertools.count()

    def append(self, instance: object) -> None:
        self._alive[next(self._serial)] = instance


def _bytes_per_object(tracker: Any, models: list[Model]) -> float:
    return bytes_kept_each(len(models), lambda n: tracker.append(models[n]))


def test_a_live_object_costs_little_more_than_half_what_it_did() -> None:
    models = [Model() for _ in range(20_000)]
    previous = _bytes_per_object(_PreviousTracker(), models)
    now = _bytes_per_object(WeakInstances(), models)

    # Measured here: 145-168 bytes an object before, 88 now.
    assert now < 0.7 * previous, f"{now:.0f} bytes an object now, {previous:.0f} before"
