"""JSON Schema (draft 2020-12) checked for the keywords our schemas use, without importing jsonschema.

jsonschema and what it imports (attrs, referencing, the metaschemas of every draft) take ~40 ms of
a cold start, more than all of our own modules (issue 8). The schemas in schemas/ use a handful of
keywords, so this module checks exactly those, as draft 2020-12 defines them, and refuses a schema
with any other: adding `allOf`, `if` or `$ref` to a schema fails the function's INIT and the tests
(tests/unit/core/test_schema_check.py), rather than being ignored. The same tests compare every
error with jsonschema's own `Draft202012Validator` over generated documents, and check each schema
against the metaschema: jsonschema stays the reference, at test and build time.

An error carries what corrigo.validation reads from a jsonschema `ValidationError`: the keyword
(`validator`), its value in the schema (`validator_value`), the path to the value, and the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# A keyword's own check of a value: the schema's value for the keyword, the value; True when it holds.
KeywordCheck = Callable[[Any, Any], bool]

# Keywords that only describe (draft 2020-12's annotations, and our own x-… ones that have no check).
_DESCRIBING = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    ),
}


class UnsupportedSchema(ValueError):
    """A schema uses a keyword this module does not check."""


@dataclass(frozen=True)
class SchemaError:
    validator: str  # the keyword that failed
    validator_value: Any  # its value in the schema
    path: tuple[str, ...]  # where the value is, from the document's root
    instance: Any  # the value


def _same(a: Any, b: Any) -> bool:
    """JSON equality, as `enum` and `const` compare: true is not 1, 1 is 1.0, arrays and objects by content."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


class SchemaChecker:
    """The errors of a document against one schema: each keyword that fails, as jsonschema reports them."""

    def __init__(
        self,
        schema: Mapping[str, Any],
        formats: Mapping[str, Callable[[Any], bool]],
        keywords: Mapping[str, KeywordCheck],
    ) -> None:
        self._schema = schema
        self._formats = dict(formats)
        self._keywords = dict(keywords)
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._refuse_unsupported(schema, "#")

    def _refuse_unsupported(self, schema: Mapping[str, Any], where: str) -> None:
        for keyword, value in schema.items():
            if keyword in _DESCRIBING or keyword in self._keywords or keyword.startswith("x-"):
                continue
            if keyword == "type":
                if not all(name in _TYPES for name in (value if isinstance(value, list) else [value])):
                    raise UnsupportedSchema(f"{where}: type {value!r}")
            elif keyword == "format":
                if value not in self._formats:
                    raise UnsupportedSchema(f"{where}: no check for format {value!r}")
            elif keyword == "pattern":
                self._patterns[value] = re.compile(value)
            elif keyword == "additionalProperties":
                if not isinstance(value, bool):
                    raise UnsupportedSchema(f"{where}: additionalProperties other than true or false")
            elif keyword == "properties":
                for name, subschema in value.items():
                    self._refuse_unsupported(subschema, f"{where}/properties/{name}")
            elif keyword not in ("required", "enum", "const", "minLength", "maxLength"):
                raise UnsupportedSchema(f"{where}: keyword {keyword!r} is not checked by corrigo.schema_check")

    def iter_errors(self, document: Any) -> Iterator[SchemaError]:
        return self._errors(self._schema, document, ())

    def _errors(self, schema: Mapping[str, Any], value: Any, path: tuple[str, ...]) -> Iterator[SchemaError]:
        for keyword, expected in schema.items():
            if keyword == "properties":
                if isinstance(value, dict):
                    for name, subschema in expected.items():
                        if name in value:
                            yield from self._errors(subschema, value[name], (*path, name))
                continue
            for _ in range(self._failures(keyword, expected, schema, value)):
                yield SchemaError(keyword, expected, path, value)

    def _failures(self, keyword: str, expected: Any, schema: Mapping[str, Any], value: Any) -> int:
        """How many errors `keyword` finds in `value` (several only for `required`: one per missing name)."""
        is_text = isinstance(value, str)
        if keyword == "required":
            return sum(name not in value for name in expected) if isinstance(value, dict) else 0
        if keyword == "type":
            holds = any(_TYPES[name](value) for name in (expected if isinstance(expected, list) else [expected]))
        elif keyword == "additionalProperties":
            extra = isinstance(value, dict) and bool(set(value) - set(schema.get("properties", {})))
            holds = expected is not False or not extra
        elif keyword == "enum":
            holds = any(_same(value, option) for option in expected)
        elif keyword == "const":
            holds = _same(value, expected)
        elif keyword == "minLength":
            holds = not is_text or len(value) >= expected
        elif keyword == "maxLength":
            holds = not is_text or len(value) <= expected
        elif keyword == "pattern":
            holds = not is_text or bool(self._patterns[expected].search(value))
        elif keyword == "format":
            holds = self._formats[expected](value)  # as jsonschema's FormatChecker: the check sees any value
        elif keyword in self._keywords:
            holds = self._keywords[keyword](expected, value)
        else:
            holds = True  # a describing keyword
        return 0 if holds else 1
