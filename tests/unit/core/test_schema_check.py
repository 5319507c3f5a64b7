"""corrigo/schema_check.py against jsonschema, the reference: the same errors for every schema in
schemas/, over generated documents, with the same format and keyword checks (corrigo.validation's)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.schema import load_schema, schema_dir
from corrigo.schema_check import SchemaChecker, UnsupportedSchema
from corrigo.validation import FORMATS, keyword_checks

DOMAINS = ("news.example.cn", "example.com.cn")
SCHEMAS = sorted(path.name for path in schema_dir().glob("*.schema.json"))


@cache
def reference(schema_file: str) -> Any:
    """jsonschema's draft 2020-12 validator with corrigo.validation's checks, as the API used until issue 8."""
    checker = jsonschema.FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)

    def keyword(check):
        def validate(validator, expected, instance, schema):
            if not check(expected, instance):
                yield jsonschema.ValidationError("fails")

        return validate

    keywords = {name: keyword(check) for name, check in keyword_checks(DOMAINS).items()}
    extended = jsonschema.validators.extend(jsonschema.Draft202012Validator, keywords)
    return extended(load_schema(schema_file), format_checker=checker)


@cache
def ours(schema_file: str) -> SchemaChecker:
    return SchemaChecker(load_schema(schema_file), FORMATS, keyword_checks(DOMAINS))


def described(errors) -> list[tuple[str, str, tuple[str, ...], str]]:
    """Errors as comparable tuples: keyword, its value, the path, the value (in a stable order)."""
    return sorted(
        (e.validator, json.dumps(e.validator_value, sort_keys=True), tuple(map(str, e.path)), repr(e.instance))
        for e in errors
    )


# ---- generated documents: each field's value near what its schema says, and far from it ----
TODAY = date.today()
TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(list("ab 中文\n\r\t\x00\x7f\u2028\u3000@.:/")), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "https://news.example.cn/a/1.html",
            "https://www.example.com.cn/x",
            "http://evil.example/news.example.cn",
            "https://news.example.cn.evil.cn/",
            "ftp://news.example.cn/a",
            "news.example.cn/a",
            "zhang@example.com",
            "zhang@@example.com",
            "a@b",
            "13800138000",
            "+86 10 1234 5678",
            (TODAY - timedelta(days=3)).isoformat(),
            (TODAY + timedelta(days=3)).isoformat(),
            "2026-02-30",
            "2026-2-3",
            "true",
        ]
    ),
)
NOT_TEXT = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.just([]), st.just({"a": 1})
)


def value_for(subschema: dict[str, Any]) -> st.SearchStrategy[Any]:
    near: list[st.SearchStrategy[Any]] = [TEXT, NOT_TEXT]
    if "enum" in subschema:
        near.append(st.sampled_from(subschema["enum"]))
    if "const" in subschema:
        near.append(st.just(subschema["const"]))
    for limit in (subschema.get("minLength"), subschema.get("maxLength")):
        if isinstance(limit, int):
            near.append(st.sampled_from(["x" * max(0, limit - 1), "x" * limit, "字" * (limit + 1)]))
    return st.one_of(near)


@st.composite
def documents(draw, schema_file: str) -> dict[str, Any]:
    properties = load_schema(schema_file)["properties"]
    document = {name: draw(value_for(subschema)) for name, subschema in properties.items() if draw(st.integers(0, 5))}
    if draw(st.integers(0, 4)) == 0:
        document[draw(st.sampled_from(["extra", "id", "Request_Type"]))] = draw(TEXT)
    return document


@pytest.mark.parametrize("schema_file", SCHEMAS)
def test_every_schema_is_valid_draft_2020_12_and_uses_only_keywords_that_are_checked(schema_file):
    schema = load_schema(schema_file)

    jsonschema.Draft202012Validator.check_schema(schema)
    ours(schema_file)  # raises UnsupportedSchema for any keyword it does not check


@pytest.mark.parametrize("schema_file", SCHEMAS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_errors_are_jsonschemas_own(schema_file, data):
    document = data.draw(documents(schema_file))

    assert described(ours(schema_file).iter_errors(document)) == described(reference(schema_file).iter_errors(document))


@pytest.mark.parametrize("document", [[], "text", 3, None, True, {}])
def test_a_document_that_is_not_an_object_gets_jsonschemas_errors(document):
    schema_file = "correction-request.schema.json"

    assert described(ours(schema_file).iter_errors(document)) == described(reference(schema_file).iter_errors(document))


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"allOf": [{"type": "string"}]}, "keyword 'allOf'"),
        ({"properties": {"a": {"$ref": "#/$defs/a"}}}, "#/properties/a: keyword '$ref'"),
        ({"additionalProperties": {"type": "string"}}, "additionalProperties other than true or false"),
        ({"format": "ipv4"}, "no check for format 'ipv4'"),
        ({"type": "text"}, "type 'text'"),
    ],
)
def test_a_schema_with_a_keyword_that_is_not_checked_is_refused_not_ignored(schema, problem):
    with pytest.raises(UnsupportedSchema, match=problem.replace("$", r"\$")):
        SchemaChecker(schema, FORMATS, keyword_checks(DOMAINS))


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        ({"enum": [1, "a", None]}, True),
        ({"enum": [True]}, 1),
        ({"const": 1}, 1.0),
        ({"const": [1, {"a": False}]}, [1, {"a": 0}]),
        ({"type": "integer"}, 2.0),
        ({"type": ["string", "null"]}, None),
        ({"type": "number"}, False),
        ({"required": ["a", "b"]}, {}),
    ],
)
def test_json_equality_and_types_as_jsonschema_has_them(schema, document):
    reference_errors = jsonschema.Draft202012Validator(schema).iter_errors(document)

    assert described(SchemaChecker(schema, {}, {}).iter_errors(document)) == described(reference_errors)
