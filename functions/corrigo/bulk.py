"""Bulk actions on the queue (issue 11): claim, release or resolve-as-rejected many requests at once.

Each request is its own decision and its own conditional write: one refusal (another editor holds
it, it moved meanwhile, its status does not allow the action) never undoes or blocks the others.
The answer names, for each reference, whether it went through and, if not, why (a `Refusal` code the
editors' page words from the vocabulary, `bulk_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from corrigo.errors import BadQuery

MAX_BULK = 50


class BulkAction(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    REJECT = "reject"


class Refusal(StrEnum):
    """Why one request of a bulk action did not go through."""

    NOT_A_REFERENCE = "not_a_reference"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # its status does not allow the action
    HELD_BY_OTHER = "held_by_other"
    CHANGED_MEANWHILE = "changed_meanwhile"
    UNAVAILABLE = "unavailable"  # storage refused for now; trying again may work


@dataclass(frozen=True)
class ItemResult:
    reference: str
    ok: bool
    status: str | None = None  # after the action, or as found when refused for its status
    refusal: Refusal | None = None


def check_action(action: object) -> BulkAction:
    try:
        return BulkAction(str(action))
    except ValueError:
        raise BadQuery("action", f"one of {', '.join(a.value for a in BulkAction)}") from None


def check_references(references: object) -> list[str]:
    """The references asked for, each once, in the order given; BadQuery naming `references`."""
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise BadQuery("references", "a list of references like CR-2026-ABC234")
    unique = list(dict.fromkeys(r.strip().upper() for r in references))
    if not unique:
        raise BadQuery("references", "at least one reference")
    if len(unique) > MAX_BULK:
        raise BadQuery("references", f"at most {MAX_BULK} at a time")
    return unique


def refused(reference: str, refusal: Refusal, status: str | None = None) -> ItemResult:
    return ItemResult(reference, False, status, refusal)
