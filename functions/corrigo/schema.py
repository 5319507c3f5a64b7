"""The request schema, read once, and the field facts other modules derive from it.

The JSON Schema file is the single source of truth for the request's fields: their
rules, labels (zh/en), help texts, synonyms used in mail, and per-rule messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = "correction-request.schema.json"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def schema_dir() -> Path:
    """Where the schemas are: beside the package when deployed, at the repo top in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "schemas", here.parent.parent / "schemas"):
        if (candidate / SCHEMA_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"{SCHEMA_FILE} not found beside {here}")


@cache
def load_schema(schema_file: str = SCHEMA_FILE) -> dict[str, Any]:
    """The request schema, or another schema of the folder by file name (the comments' schemas)."""
    with open(schema_dir() / schema_file, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@dataclass(frozen=True)
class Field:
    """One property of the request, as the form, the mail extractor and the messages see it."""

    name: str
    rules: dict[str, Any]
    required: bool
    labels: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    options: tuple[tuple[str, dict[str, str]], ...] = ()
    option_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    widget: str = "text"
    autocomplete: str | None = None
    honeypot: bool = False

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels[DEFAULT_LANGUAGE]

    def option_label(self, value: str, language: str) -> str:
        for option, labels in self.options:
            if option == value:
                return labels.get(language, value)
        return value

    @property
    def max_length(self) -> int | None:
        return self.rules.get("maxLength")

    @property
    def is_boolean(self) -> bool:
        return self.rules.get("type") == "boolean"

    @property
    def one_line(self) -> bool:
        """``x-one-line``: a single line of text, no line breaks or control characters (a name, a title)."""
        return bool(self.rules.get("x-one-line"))

    @property
    def is_free_text(self) -> bool:
        """Text a person writes freely: no list of choices, no format, no pattern (and not the honeypot)."""
        constrained = any(key in self.rules for key in ("enum", "const", "format", "pattern"))
        return self.rules.get("type") == "string" and not constrained and not self.honeypot


def _widget(name: str, rules: dict[str, Any]) -> str:
    if "enum" in rules:
        return "select"
    return str(rules.get("x-widget", "text"))


@cache
def fields(schema_file: str = SCHEMA_FILE) -> tuple[Field, ...]:
    """Every property of the schema, in the schema's order."""
    schema = load_schema(schema_file)
    required = set(schema.get("required", ()))
    result = []
    for name, rules in schema["properties"].items():
        enum_labels = rules.get("x-enum-labels", {})
        result.append(
            Field(
                name=name,
                rules=rules,
                required=name in required,
                labels=rules.get("x-labels", {"zh": name, "en": name}),
                help=rules.get("x-help", {}),
                synonyms=tuple(rules.get("x-synonyms", ())),
                options=tuple((value, enum_labels.get(value, {})) for value in rules.get("enum", ())),
                option_synonyms={k: tuple(v) for k, v in rules.get("x-enum-synonyms", {}).items()},
                widget=_widget(name, rules),
                autocomplete=rules.get("x-autocomplete"),
                honeypot=bool(rules.get("x-honeypot")),
            )
        )
    return tuple(result)


@cache
@cache
def request_types() -> tuple[str, ...]:
    """The kinds of request, in the schema's order: the `request_type` field's enum."""
    return tuple(str(value) for value in load_schema()["properties"]["request_type"]["enum"])


def fields_by_name(schema_file: str = SCHEMA_FILE) -> dict[str, Field]:
    return {f.name: f for f in fields(schema_file)}


def free_text_fields() -> tuple[str, ...]:
    """The names of the free-text fields, in the schema's order: what screening reads."""
    return tuple(spec.name for spec in fields() if spec.is_free_text)


def sections() -> list[tuple[dict[str, str], list[Field]]]:
    """The form's sections, each with its labels and fields, as the schema groups them."""
    by_name = fields_by_name()
    return [
        (section["labels"], [by_name[name] for name in section["fields"]])
        for section in load_schema().get("x-sections", [])
    ]


def pick_language(value: object) -> str:
    """A supported language from whatever the client sent; Chinese when unsure."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        for language in LANGUAGES:
            if lowered.startswith(language):
                return language
    return DEFAULT_LANGUAGE
