"""Jinja2 environments for pages (HTML, autoescaped) and email texts (plain text).

Autoescaping is on for every .html template, so a requester's `<script>` shows as text.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from corrigo.workdays import BEIJING

ASSETS = Path(__file__).resolve().parent


@cache
def _environment(kind: str) -> Any:
    import jinja2  # lazily: only pages and mail need it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS / kind),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["beijing_time"] = beijing_time
    return environment


def beijing_time(stamp: str) -> str:
    """An ISO timestamp as requesters and editors read it: Beijing time, to the minute."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return stamp
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def render_page(name: str, **context: Any) -> str:
    return str(_environment("templates").get_template(name).render(**context))


def render_email(name: str, **context: Any) -> str:
    """An email's text from its template (corrigo.notifications.MailContext.render): loading templates
    from disk belongs here, at the edge of the pure core."""
    return str(_environment("emails").get_template(name).render(**context))
