"""Powertools Logger and Metrics, one of each per execution environment.

Tracer is left out on purpose: importing it pulls in the X-Ray SDK (~400 ms of cold start);
Lambda's active tracing (template.yaml) still records each invocation.

Logs carry no personal data (PIPL): every record passes ``MaskingFormatter``, which masks the
values of fields that name a person or a contact, and any email address or phone number left in
messages, exception texts or other fields. Masking happens at the one place records become text,
so a careless ``extra=`` or a botocore error quoting an address cannot slip past it.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# Field names whose values are personal data whatever they look like (a name has no pattern).
SENSITIVE_KEYS = frozenset(
    {
        "requester_name",
        "requester_email",
        "requester_phone",
        "name",
        "from_name",
        "email",
        "phone",
        "to",
        "from",
        "sender",
        "recipient",
        "recipients",
        "envelope_from",
        "address",
    }
)
# Tried only where a run of address characters begins (the lookbehind) and never given back
# (possessive): "aaaa…" without an @ then costs one pass, not one per character (issue 9).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)+")
# Phone numbers by shape, not any digit run (timestamps, epoch times and ids must stay readable):
# mainland mobiles (optionally +86), landlines with an area code, and any number written with "+".
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
    r"|(?<![\w-])0\d{2,3}[ -]\d{7,8}(?!\d)"
    r"|\+\d{1,3}[ -]?\d[\d -]{5,14}\d(?!\d)"
)


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"***{digits[-2:]}"


def mask_text(text: str) -> str:
    return _PHONE.sub(_mask_phone, _EMAIL.sub(_mask_email, text))


def mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(key, v) for v in value]
    if key.lower() in SENSITIVE_KEYS and value not in (None, ""):
        return "***"
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return mask_text(super().serialize({k: mask_value(k, v) for k, v in log.items()}))


logger = Logger(logger_formatter=MaskingFormatter())
metrics = Metrics()
