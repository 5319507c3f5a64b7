"""Powertools packages registered without running their `__init__` (cold start, issue 8).

Powertools' `event_handler` package imports every resolver it has (AppSync, Bedrock, VPC Lattice…,
and asyncio with them) in its `__init__`, about 70 ms before the first request, while an HTTP
function needs `event_handler.api_gateway` alone; `utilities.data_classes` likewise imports the
event class of every AWS service where a queue consumer needs the SQS record. So, before any handler
is imported, these packages are registered without running their `__init__`: their submodules import
as usual, a name the `__init__` re-exports is taken from the one submodule it comes from (read from
the `__init__`'s own `from .x import …` lines), and for any other name the `__init__` runs after all:
`from aws_lambda_powertools.event_handler import X` keeps working, for every X.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

# Packages whose `__init__` only gathers names from its submodules.
LEAN_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def _reexports(init_file: str, package: str) -> dict[str, str]:
    """Which submodule each name of a package's `__init__` comes from (`from .x import A`)."""
    tree = ast.parse(Path(init_file).read_text("utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = f"{package}.{node.module}" if node.level == 1 else node.module
            if module.startswith(package + "."):
                found.update({alias.asname or alias.name: module for alias in node.names})
    return found


def _register_lean(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.origin is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    loader, origin = spec.loader, spec.origin
    state: dict[str, Any] = {"initialised": False, "reexports": None}

    def __getattr__(attribute: str) -> Any:  # a module's own __getattr__ (PEP 562)
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if state["reexports"] is None:
            state["reexports"] = _reexports(origin, name)
        source = state["reexports"].get(attribute)
        # A re-exported name first: `data_classes.event_source` is the decorator the `__init__` imports
        # from the submodule of the same name, which it shadows.
        if source is not None:  # the one submodule that defines it, not the whole package
            value = getattr(importlib.import_module(source), attribute)
            setattr(package, attribute, value)
            return value
        if importlib.util.find_spec(f"{name}.{attribute}") is not None:
            return importlib.import_module(f"{name}.{attribute}")
        if not state["initialised"]:
            state["initialised"] = True
            loader.exec_module(package)  # the package's own __init__, once
            if attribute in package.__dict__:
                return package.__dict__[attribute]
        raise AttributeError(f"module {name!r} has no attribute {attribute!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent in sys.modules and isinstance(sys.modules[parent], ModuleType):
        setattr(sys.modules[parent], child, package)


def register() -> None:
    for name in LEAN_PACKAGES:
        _register_lean(name)
