"""What a write can find already there: the refusals a repository raises and a service answers."""

from __future__ import annotations


class ReferenceTaken(Exception):
    """The random reference already exists: the caller draws another."""


class ExistingSubmission(Exception):
    """The Idempotency-Key (or the mail) was taken in before, for the same content: answer as the first time."""

    def __init__(self, reference: str, status_token: str) -> None:
        super().__init__(reference)
        self.reference = reference
        self.status_token = status_token
