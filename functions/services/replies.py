"""The reply an editor starts from, per outcome and language (issue 11): the admins' saved template
(corrigo.reply_templates) when there is one, else the file default (web/emails/replies/)."""

from __future__ import annotations

from types import SimpleNamespace

from corrigo.model import CorrectionRequest
from corrigo.reply_templates import LANGUAGES, ReplyTemplate, check_outcome, render, values_for
from services.ports import ReplyTemplates
from web.render import render_email


def reply_text(
    templates: ReplyTemplates | None, request: CorrectionRequest, outcome: str, language: str, into: str = ""
) -> str:
    saved = templates.saved_template(outcome) if templates is not None else None
    if saved is not None:
        return render(saved.text(language), values_for(request, into)).strip()
    return render_email(f"replies/{outcome}.{language}.txt", request=request, into=into).strip()


def default_template(outcome: str) -> ReplyTemplate:
    """The file default written with placeholders, as an admin starts editing it: the file is
    rendered with each field standing for its own placeholder."""
    stand_in = SimpleNamespace(fields={"article_title": "{article_title}", "requester_name": "{requester_name}"})
    texts = {
        language: render_email(
            f"replies/{check_outcome(outcome)}.{language}.txt", request=stand_in, into="{into}"
        ).strip()
        for language in LANGUAGES
    }
    return ReplyTemplate(outcome, texts["zh"], texts["en"])
