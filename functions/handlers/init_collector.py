"""Lambda's INIT without the cyclic garbage collector: the entry module imported with it paused.

A cold start imports boto3, Powertools and our modules: hundreds of thousands of objects, nearly all
kept until the sandbox ends (modules, classes, functions, botocore's service models). The collector
walks them over and over while they are built (a young pass every 700 allocations, a full pass each
time the heap has grown by a quarter) and finds next to nothing to free. So the module Lambda imports
at INIT — the one `_HANDLER` names, the variable Lambda's runtime sets to the function's `Handler` —
executes with the collector off; after it, the collector is on again with everything built so far
frozen (`gc.freeze`: moved where no later pass walks it, since it lives as long as the process).
Measured in docs/operations.md, "Cold start".

Only that one import is affected, and only when `_HANDLER` names it: the local stack, the tests and
anything else importing these modules see the collector as they left it. The collector is turned
back on whatever the import does (an INIT that fails is retried by Lambda in a fresh process).
"""

from __future__ import annotations

import gc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any


# Not subclasses of importlib.abc's classes: importing importlib.abc imports importlib.resources,
# ~25 ms of the cold start this module is here to shorten. A finder and a loader are duck-typed.
class _PausedCollectorLoader:
    """The module's own loader, its `exec_module` run with the collector paused."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if not gc.isenabled():  # paused by someone else: theirs to resume
            self._loader.exec_module(module)
            return
        gc.disable()
        try:
            self._loader.exec_module(module)
        finally:
            gc.freeze()
            gc.enable()

    def __getattr__(self, name: str) -> Any:  # get_source, get_code…: the module's own loader answers
        return getattr(self._loader, name)


class _EntryModuleFinder:
    """Finds one module as the path finder would, once, and gives it the pausing loader."""

    def __init__(self, module: str) -> None:
        self.module = module

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.module:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PausedCollectorLoader(spec.loader)  # type: ignore[assignment]  # duck-typed
        return spec


def pause_while_importing(handler: str, package: str) -> None:
    """Import the module of `handler` ("handlers.api.handler") with the collector paused, if it is
    one of `package` and not imported yet."""
    module = handler.rpartition(".")[0]
    if module.startswith(package + ".") and module not in sys.modules:
        sys.meta_path.insert(0, _EntryModuleFinder(module))
