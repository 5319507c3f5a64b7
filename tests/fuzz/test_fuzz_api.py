"""Property tests over POST /requests: random JSON and form bodies, random Unicode, huge strings and
wrong types never give a 5xx or an unhandled exception, and every answer is a defined one."""

import json
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from corrigo.schema import fields_by_name

DEFINED = {202, 303, 400, 413, 415, 422, 429}
FIELDS = [*fields_by_name(), "form_token"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.text(min_size=5000, max_size=70000, alphabet=st.characters(codec="utf-8")),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
documents = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=16)


def _check(response):
    assert response["statusCode"] in DEFINED, response
    if response["statusCode"] != 303:
        assert response["body"]  # every answer but the redirect explains itself: JSON, or the form re-rendered
        if "json" in response["headers"]["Content-Type"]:
            json.loads(response["body"])


@given(document=documents)
def test_random_json_documents(aws, api, document):
    body = json.dumps(document, ensure_ascii=False, allow_nan=True)
    _check(api("POST", "/requests", body=body, headers={"content-type": "application/json"}))


@given(document=st.fixed_dictionaries({}, optional={name: st.text(max_size=300) for name in FIELDS}))
def test_random_form_posts(aws, api, document, valid_request):
    mixed = {**{k: str(v) for k, v in valid_request.items()}, **document}
    _check(
        api("POST", "/requests", body=urlencode(mixed), headers={"content-type": "application/x-www-form-urlencoded"})
    )


@given(
    raw=st.binary(max_size=3000),
    kind=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/vnd.x+json"]
    ),
)
def test_random_bytes_under_any_content_type(aws, api, raw, kind):
    _check(api("POST", "/requests", body=raw, headers={"content-type": kind}))


@given(field=st.sampled_from(list(fields_by_name())), value=values)
def test_one_wrong_typed_field_in_a_valid_request(aws, post_json, valid_request, field, value):
    _check(post_json({**valid_request, field: value}))
