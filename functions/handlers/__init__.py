"""Lambda entry points: one small module per function. They wire Powertools and call services.

Before any of them is imported, two things shorten the cold start (issue 8; docs/operations.md,
"Cold start"): Powertools packages whose `__init__` imports far more than a function uses are
registered lean (lean_packages.py), and the entry module Lambda imports at INIT is imported with
the cyclic garbage collector paused (init_collector.py).
"""

from __future__ import annotations

import os

from handlers import init_collector, lean_packages

lean_packages.register()
init_collector.pause_while_importing(os.environ.get("_HANDLER", ""), __name__)
