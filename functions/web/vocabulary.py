"""The editors' page's labels: every value the page can show, in Chinese and English.

Two sources, each the only one for its facts: schemas/vocabulary.json labels the core's values
(statuses, outcomes, verdicts, rules, actions, …); the request schema labels its own enums and its
fields (`x-enum-labels`, `x-labels`). The page gets both as one table, with /editor/config.json.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from corrigo.schema import load_schema, schema_dir

VOCABULARY_FILE = "vocabulary.json"
Labels = dict[str, dict[str, str]]

# What screening writes in the audit trail when it holds a request (ScreeningReport.summary).
_VERDICT_LINE = re.compile(r"^(pass|suspect|spam) \(-?\d+\)")
# Why a mail went to quarantine, as services.mail_intake words it (free text, English), by how it
# starts: the page labels the kind and shows the words beneath.
_MAIL_REASON_PREFIXES = (
    ("unparseable", "unreadable"),
    ("no headers could be read", "unreadable"),
    ("no sender and no content", "unreadable"),
    ("a delivery report about", "stray_bounce"),
    ("automatic or flagged mail", "automatic_mail"),
    ("too costly to read", "too_costly"),
    ("could not be processed", "processing_failed"),
)


@cache
def core_vocabulary() -> dict[str, Labels]:
    """schemas/vocabulary.json without its comment: enum name → value → {"zh", "en"}."""
    with open(schema_dir() / VOCABULARY_FILE, encoding="utf-8") as handle:
        table: dict[str, Any] = json.load(handle)
    return {name: labels for name, labels in table.items() if not name.startswith("$")}


def schema_vocabulary() -> dict[str, Labels]:
    """The request schema's enums (by field name) and its fields' own labels (under "field")."""
    properties: dict[str, Any] = load_schema()["properties"]
    table: dict[str, Labels] = {
        name: dict(rules["x-enum-labels"]) for name, rules in properties.items() if "x-enum-labels" in rules
    }
    table["field"] = {name: dict(rules["x-labels"]) for name, rules in properties.items() if "x-labels" in rules}
    return table


@cache
def vocabulary() -> dict[str, Labels]:
    """Everything the editors' page may label, as the page receives it."""
    return {**core_vocabulary(), **schema_vocabulary()}


def quarantine_reason(detail: str) -> str:
    """The kind of reason (a key of `quarantine_reason`) behind a `screen_quarantine` event's detail:
    screening's verdict line (``suspect (5): …``), or the words mail intake held a mail with."""
    if _VERDICT_LINE.match(detail):
        return "screening"
    lowered = detail.strip().lower()
    return next((kind for prefix, kind in _MAIL_REASON_PREFIXES if lowered.startswith(prefix)), "other")
