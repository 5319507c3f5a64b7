"""Where other features plug into the local stack without editing its orchestration.

- An *extra service* runs beside the gateway (the SMTP intake on SMTP_PORT is the first one due):
  `start(stack)` once AWS resources and functions are ready, `stop()` at shutdown, and `address`
  for the ready line (e.g. "smtp://127.0.0.1:2525").
- A *start-up step* runs once after everything listens and returns items for the ready line
  (e.g. "editor=editor@news.example.cn / ..."); the local editor account below is one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .stack import LocalStack

EDITORS_GROUP = "editors"
# The newcomer's account may do everything the page offers, erasure and export of personal data included.
ADMINS_GROUP = "admins"
# A local-only account in moto, printed at start for the newcomer: not a secret.
DEFAULT_EDITOR_PASSWORD = "Corrigo-Editor-2026!"  # noqa: S105
SITE_DOMAINS_PARAMETER = "SiteDomains"


class ExtraService(Protocol):
    @property
    def address(self) -> str: ...

    def start(self, stack: LocalStack) -> None: ...

    def stop(self) -> None: ...


StartupStep = Callable[["LocalStack"], Sequence[str]]


def default_extra_services() -> list[ExtraService]:
    """The services `python -m infra.local` runs beside the gateway: the SMTP intake (SMTP_PORT, 2525)."""
    from .smtp import SmtpIntake

    return [SmtpIntake()]


def default_startup_steps() -> list[StartupStep]:
    return [create_local_editor]


def create_local_editor(stack: LocalStack) -> Sequence[str]:
    """An editor account in the template's user pool that has an `editors` group, if there is one (and
    in its `admins` group too, when the pool has one)."""
    pool_id = stack.user_pool_with_group(EDITORS_GROUP)
    if pool_id is None:
        return []
    domains = str(stack.parameters.get(SITE_DOMAINS_PARAMETER, "example.com"))
    email = os.environ.get("LOCAL_EDITOR_EMAIL") or f"editor@{domains.split(',')[0].strip()}"
    password = os.environ.get("LOCAL_EDITOR_PASSWORD") or DEFAULT_EDITOR_PASSWORD
    cognito = stack.aws("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=EDITORS_GROUP)
    if stack.user_pool_with_group(ADMINS_GROUP) == pool_id:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=ADMINS_GROUP)
    stack.editor_credentials = (email, password)
    return [f"editor={email} / {password}"]
