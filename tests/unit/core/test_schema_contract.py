"""Every sample beside the schema behaves as documented: valid ones pass, invalid ones fail on their fields."""

import json
from pathlib import Path

import pytest

from corrigo.schema import fields, load_schema, schema_dir
from corrigo.validation import validate

SAMPLES = schema_dir() / "samples"
DOMAINS = ("news.example.cn",)


def _samples(kind: str) -> list[Path]:
    return sorted((SAMPLES / kind).glob("*.json"))


def test_schema_is_valid_2020_12():
    import jsonschema

    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_of_the_product_brief_is_required_and_labelled_in_both_languages():
    required = set(load_schema()["required"])
    assert len(required) == 13
    for spec in fields():
        assert spec.labels["zh"] and spec.labels["en"], spec.name
        assert spec.required == (spec.name in required)
        for value, labels in spec.options:
            assert labels.get("zh") and labels.get("en"), (spec.name, value)


@pytest.mark.parametrize("path", _samples("valid"), ids=lambda p: p.stem)
def test_valid_sample_passes(path: Path):
    result = validate(json.loads(path.read_text("utf-8")), domains=DOMAINS)
    assert result.errors == []


@pytest.mark.parametrize("path", _samples("invalid"), ids=lambda p: p.stem)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_invalid_sample_fails_on_exactly_its_fields(path: Path, language: str):
    sample = json.loads(path.read_text("utf-8"))
    result = validate(sample["document"], domains=DOMAINS, language=language)
    assert [e.field for e in result.errors] == sample["expected_fields"]
    for error in result.errors:
        assert error.message.strip()
        assert "Traceback" not in error.message


def test_there_are_samples_of_both_kinds():
    assert len(_samples("valid")) >= 2
    assert len(_samples("invalid")) >= 8
