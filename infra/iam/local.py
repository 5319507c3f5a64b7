"""The IAM check of a local stack: on for the project's own template, as AWS would be.

LOCAL_IAM_CHECK chooses: `enforce` (a call the role does not allow is answered AccessDenied, as
in AWS, and logged), `record` (logged and counted, but let through: to see every missing grant of
a run at once), `off`. Unset, it is `enforce` for the project's template.yaml and `off` for any
other template (the local stack's own test fixture has functions with no Policies at all).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.local.template import IntrinsicResolver

from .policies import function_roles, resource_names
from .recorder import IamCheck

MODE_ENV = "LOCAL_IAM_CHECK"
MODES = ("enforce", "record", "off")


class UnknownIamMode(ValueError):
    pass


# The repository's own template: the one whose roles are deployed.
PROJECT_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def is_project_template(path: Path) -> bool:
    return Path(path).resolve() == PROJECT_TEMPLATE


def check_mode(*, project_template: bool) -> str:
    mode = os.environ.get(MODE_ENV, "").strip().lower() or ("enforce" if project_template else "off")
    if mode not in MODES:
        raise UnknownIamMode(f"{MODE_ENV}={mode!r}: expected one of {', '.join(MODES)}")
    return mode


def stack_check(template: Mapping[str, Any], resolver: IntrinsicResolver, mode: str) -> IamCheck | None:
    """The check for a stack whose resources are created (the resolver knows their ARNs), or None when off."""
    if mode == "off":
        return None
    return IamCheck(
        function_roles(template, resolver),
        enforce=mode == "enforce",
        resource_names=resource_names(template, resolver),
    )
