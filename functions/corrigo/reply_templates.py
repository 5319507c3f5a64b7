"""Saved reply templates (issue 11): per outcome, in Chinese and English, with `{placeholder}`s the
request's fields fill in.

A template names only the placeholders below; anything else in braces is refused, naming the field
(`zh` or `en`) and the unknown name, so a typo never reaches a requester as `{artcle_title}`.
Rendering is one pass over the template: a field's value goes in as it is and is never read again,
so a requester who types `{reference}` into a field gets those characters back, not a substitution.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from corrigo.errors import BadQuery
from corrigo.lifecycle import Outcome
from corrigo.model import CorrectionRequest
from corrigo.workdays import beijing_date, parse_time

LANGUAGES = ("zh", "en")
MAX_TEMPLATE = 5000
# Every name a template may use, and what fills it.
PLACEHOLDERS = (
    "reference",
    "requester_name",
    "article_title",
    "article_url",
    "submitted_on",
    "into",
)
_TOKEN = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class ReplyTemplate:
    outcome: str
    zh: str
    en: str
    updated_by: str = ""
    updated_at: str = ""

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def check_outcome(outcome: str) -> str:
    if outcome not in {o.value for o in Outcome}:
        raise BadQuery("outcome", f"one of {', '.join(o.value for o in Outcome)}")
    return outcome


def check_template(field: str, text: object) -> str:
    """The template's text, or BadQuery naming ``field`` and what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise BadQuery(field, "is required")
    if len(text) > MAX_TEMPLATE:
        raise BadQuery(field, f"at most {MAX_TEMPLATE} characters")
    unknown = [name for name in _TOKEN.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        raise BadQuery(field, f"unknown placeholder {{{unknown[0]}}}; known: {', '.join(PLACEHOLDERS)}")
    if "{" in _TOKEN.sub("", text) or "}" in _TOKEN.sub("", text):
        raise BadQuery(field, "a { or } that does not enclose a placeholder")
    return text.strip()


def new_template(outcome: str, zh: object, en: object, editor_id: str, at: str) -> ReplyTemplate:
    return ReplyTemplate(check_outcome(outcome), check_template("zh", zh), check_template("en", en), editor_id, at)


def values_for(request: CorrectionRequest, into: str = "") -> dict[str, str]:
    """What each placeholder reads for ``request`` (the date it came in, as a Beijing date)."""
    day = beijing_date(parse_time(request.created_at))
    submitted = f"{day.year}年{day.month}月{day.day}日" if request.language == "zh" else day.isoformat()
    return {
        "reference": request.reference,
        "requester_name": str(request.fields.get("requester_name", "")),
        "article_title": str(request.fields.get("article_title", "")),
        "article_url": str(request.fields.get("article_url", "")),
        "submitted_on": submitted,
        "into": into,
    }


def render(template: str, values: Mapping[str, str]) -> str:
    """One pass: each `{name}` replaced by its value, the values never scanned for placeholders."""
    return _TOKEN.sub(lambda found: values.get(found.group(1), found.group(0)), template)
