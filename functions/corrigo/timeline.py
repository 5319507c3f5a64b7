"""The case view's one timeline (issue 11): audit events and internal notes, ordered by time.

A note is recorded twice (the note, and a `note` audit event with no text); the timeline shows the
note, with its text, in the event's place, so nothing appears twice and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corrigo.lifecycle import Action, AuditEvent
from corrigo.review import Note


def timeline(events: Sequence[AuditEvent], notes: Sequence[Note]) -> list[dict[str, Any]]:
    """Oldest first; at the same instant, events before notes (a note never precedes its cause)."""
    noted = {(note.at, note.author) for note in notes}
    entries: list[tuple[str, int, dict[str, Any]]] = [
        (event.at, 0, {"kind": "event", **event.as_dict()})
        for event in events
        if not (event.action is Action.NOTE and (event.at, event.actor) in noted)
    ]
    entries.extend(
        (
            note.at,
            1,
            {"kind": "note", "at": note.at, "action": Action.NOTE.value, "actor": note.author, "text": note.text},
        )
        for note in notes
    )
    return [entry for _, _, entry in sorted(entries, key=lambda found: (found[0], found[1]))]
