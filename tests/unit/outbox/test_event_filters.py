"""infra/local/event_filters: Lambda's FilterCriteria, as the local event sources apply them."""

import pytest

from infra.local.event_filters import UnsupportedFilter, compile_filters, keeps

INSERT = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "outcome"}}}}
MODIFY = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"kind": {"S": "question"}}}}


def filters(*patterns):
    return compile_filters({"Filters": [{"Pattern": pattern} for pattern in patterns]})


def test_no_criteria_keep_everything():
    assert keeps(compile_filters(None), MODIFY)


def test_a_list_of_values_keeps_the_records_holding_one_of_them():
    only_inserts = filters('{"eventName": ["INSERT"]}')
    assert keeps(only_inserts, INSERT)
    assert not keeps(only_inserts, MODIFY)


def test_nested_keys_prefix_exists_and_anything_but():
    assert keeps(filters('{"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "out"}]}}}}'), INSERT)
    assert not keeps(filters('{"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "out"}]}}}}'), MODIFY)
    assert keeps(filters('{"dynamodb": {"OldImage": [{"exists": false}]}}'), INSERT)
    assert not keeps(filters('{"dynamodb": {"NewImage": [{"exists": false}]}}'), INSERT)
    assert keeps(filters('{"eventName": [{"anything-but": ["REMOVE"]}]}'), MODIFY)
    assert not keeps(filters('{"eventName": [{"anything-but": "MODIFY"}]}'), MODIFY)


def test_any_of_several_filters_keeps_a_record():
    either = filters('{"eventName": ["REMOVE"]}', '{"eventName": ["MODIFY"]}')
    assert keeps(either, MODIFY)
    assert not keeps(either, INSERT)


def test_a_missing_key_does_not_match():
    assert not keeps(filters('{"dynamodb": {"OldImage": {"kind": {"S": ["outcome"]}}}}'), INSERT)


def test_an_operator_not_emulated_is_refused_at_start_with_its_name():
    with pytest.raises(UnsupportedFilter, match="numeric"):
        filters('{"dynamodb": {"SizeBytes": [{"numeric": [">", 0]}]}}')
