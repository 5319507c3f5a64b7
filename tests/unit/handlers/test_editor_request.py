"""What the editors' API reads from a request body: text fields, each checked, every fault named."""

from __future__ import annotations

import json

import pytest

from handlers.editor_request import TextField, read_body
from handlers.problems import InvalidBody

RESOLVE = (TextField("outcome", required=True), TextField("reply", required=True), TextField("public_note"))


def test_a_body_gives_its_fields_and_optional_ones_default_to_empty():
    raw = json.dumps({"outcome": "corrected", "reply": "已更正", "extra": 1})
    assert read_body(raw, *RESOLVE) == {"outcome": "corrected", "reply": "已更正", "public_note": ""}
    assert read_body(None, TextField("reason")) == {"reason": ""}
    assert read_body("", TextField("reason")) == {"reason": ""}


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ("not json", ["body"]),
        ("[1, 2]", ["body"]),
        (json.dumps({"reply": "  "}), ["outcome", "reply"]),
        (json.dumps({"outcome": 3, "reply": "x", "public_note": "n" * 5001}), ["outcome", "public_note"]),
    ],
)
def test_every_field_at_fault_is_named(raw, fields):
    with pytest.raises(InvalidBody) as caught:
        read_body(raw, *RESOLVE)
    assert [name for name, _ in caught.value.problems] == fields
