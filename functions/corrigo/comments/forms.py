"""The comments' schemas (schemas/comment*.json) through the one validator, and their extra messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from corrigo.errors import InvalidRequest
from corrigo.schema import fields_by_name
from corrigo.validation import FieldError, validate

COMMENT = "comment.schema.json"
REPORT = "comment-report.schema.json"
APPEAL = "comment-appeal.schema.json"
VERIFY = "comment-verify.schema.json"


def checked(schema_file: str, raw: Mapping[str, Any] | Any, domains: Iterable[str], language: str) -> dict[str, Any]:
    """The normalised document, or InvalidRequest naming each bad field in ``language``."""
    result = validate(raw, domains=domains, language=language, schema_file=schema_file)
    if not result.ok:
        raise InvalidRequest(result.errors, result.data, language)
    return result.data


def field_error(schema_file: str, name: str, message: str, language: str) -> FieldError:
    """A problem the schema cannot see (a wrong code, a reply to nothing), in the words its
    ``x-messages`` give for ``message``."""
    spec = fields_by_name(schema_file)[name]
    return FieldError(name, spec.label(language), str(spec.rules["x-messages"][message][language]), language)


def refuse(schema_file: str, name: str, message: str, data: dict[str, Any], language: str) -> InvalidRequest:
    return InvalidRequest([field_error(schema_file, name, message, language)], data, language)
