"""Jinja2 environments for pages (HTML, autoescaped) and email texts (plain text).

Autoescaping is on for every .html template, so a requester's `<script>` shows as text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent


@cache
def _environment(kind: str) -> Any:
    import jinja2  # lazily: only pages and mail need it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS / kind),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(name: str, **context: Any) -> str:
    return str(_environment("templates").get_template(name).render(**context))


def render_email(name: str, **context: Any) -> str:
    return str(_environment("emails").get_template(name).render(**context))
