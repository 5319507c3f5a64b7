"""Corrigo's local stack: template.yaml brought up on this machine, with moto standing in for AWS.

Run it with `python -m infra.local`; use `LocalStack` from tests.
"""

from .stack import LocalStack

__all__ = ["LocalStack"]
