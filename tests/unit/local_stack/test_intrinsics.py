"""The resolver evaluates intrinsics as CloudFormation does."""

import pytest

from infra.local.template import (
    IntrinsicResolver,
    TemplateError,
    creation_order,
    load_template_text,
    resolve_parameters,
)

TEMPLATE = load_template_text(
    """
    Parameters:
      Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
      Domains: {Type: String, Default: "a.example, b.example"}
      Zones: {Type: CommaDelimitedList, Default: "x,y"}
      Alarm: {Type: String, Default: ""}
      Required: {Type: String}
    Mappings:
      Sizes: {dev: {Memory: 128}, prod: {Memory: 1024}}
    Conditions:
      IsProd: !Equals [!Ref Stage, prod]
      HasAlarm: !Not [!Equals [!Ref Alarm, ""]]
      ProdWithAlarm: !And [!Condition IsProd, !Condition HasAlarm]
    Resources:
      Queue: {Type: AWS::SQS::Queue}
      Table: {Type: AWS::DynamoDB::Table}
    """
)


@pytest.fixture
def resolver():
    resolver = IntrinsicResolver(TEMPLATE, resolve_parameters(TEMPLATE, {"Required": "r"}))
    resolver.register("Queue", "https://q/url", {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "QueueName": "q"})
    resolver.register("Table", "tbl", {"Arn": "arn:table"})
    return resolver


def test_parameters_take_defaults_overrides_and_split_lists():
    values = resolve_parameters(TEMPLATE, {"Stage": "prod", "Required": "r"})
    assert values["Stage"] == "prod"
    assert values["Domains"] == "a.example, b.example"
    assert values["Zones"] == ["x", "y"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "Required has no Default"),
        ({"Required": "r", "Stage": "test"}, "not one of"),
        ({"Required": "r", "Typo": "x"}, "Typo"),
    ],
)
def test_bad_parameter_values_are_refused_with_their_name(overrides, message):
    with pytest.raises(TemplateError, match=message):
        resolve_parameters(TEMPLATE, overrides)


def test_ref_gives_parameters_pseudo_parameters_and_resources(resolver):
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "AWS::Region"}) == "us-east-1"
    assert resolver.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert resolver.resolve({"Ref": "Queue"}) == "https://q/url"


def test_get_att_in_both_forms(resolver):
    assert resolver.resolve({"Fn::GetAtt": ["Queue", "QueueName"]}) == "q"
    assert resolver.resolve({"Fn::GetAtt": "Queue.Arn"}) == "arn:aws:sqs:us-east-1:123456789012:q"


def test_sub_with_refs_attributes_pseudo_parameters_variables_and_literals(resolver):
    text = "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Table}/${Queue.QueueName}/${Own}/${!Literal}"
    value = resolver.resolve({"Fn::Sub": [text, {"Own": {"Ref": "Stage"}}]})
    assert value == "arn:aws:x:us-east-1:123456789012:tbl/q/dev/${Literal}"


def test_join_select_split(resolver):
    first_domain = {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "Domains"}]}]}
    assert resolver.resolve(first_domain) == "a.example"
    assert resolver.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}, 3]]}) == "a-dev-3"
    assert resolver.resolve({"Fn::Select": ["1", {"Ref": "Zones"}]}) == "y"


def test_conditions_if_not_equals_and(resolver):
    assert resolver.condition("IsProd") is False
    assert resolver.condition("HasAlarm") is False
    assert resolver.condition("ProdWithAlarm") is False
    assert resolver.resolve({"Fn::If": ["IsProd", "big", "small"]}) == "small"


def test_no_value_removes_the_property_or_list_item(resolver):
    value = resolver.resolve(
        {
            "Keep": 1,
            "Drop": {"Fn::If": ["HasAlarm", "x", {"Ref": "AWS::NoValue"}]},
            "List": ["a", {"Ref": "AWS::NoValue"}, "b"],
        }
    )
    assert value == {"Keep": 1, "List": ["a", "b"]}


def test_find_in_map_and_get_azs(resolver):
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 128
    assert resolver.resolve({"Fn::GetAZs": ""}) == ["us-east-1a", "us-east-1b", "us-east-1c"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Ref": "Nothing"}, "no such parameter"),
        ({"Fn::GetAtt": ["Queue", "Nope"]}, "unknown attribute"),
        ({"Fn::GetAtt": ["Missing", "Arn"]}, "not been created"),
        ({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}, "not supported"),
    ],
)
def test_errors_name_what_is_wrong(resolver, value, message):
    with pytest.raises(TemplateError, match=message):
        resolver.resolve(value)


def test_resources_are_ordered_after_what_they_reference():
    resources = load_template_text(
        """
        Fn: {Type: F, Properties: {Env: !Sub "${Table}-${Queue.Arn}"}}
        Queue: {Type: Q, Properties: {Redrive: !GetAtt Dlq.Arn}}
        Dlq: {Type: Q}
        Table: {Type: T, DependsOn: Dlq}
        Alone: {Type: A, Properties: {X: !Sub ["${Local}", {Local: 1}]}}
        """
    )
    order = creation_order(resources)
    assert order.index("Dlq") < order.index("Queue") < order.index("Fn")
    assert order.index("Table") < order.index("Fn")
    assert order.index("Dlq") < order.index("Table")
    assert sorted(order) == sorted(resources)


def test_a_dependency_cycle_is_reported():
    resources = load_template_text("A: {Type: X, Properties: {P: !Ref B}}\nB: {Type: X, Properties: {P: !Ref A}}")
    with pytest.raises(TemplateError, match="circular"):
        creation_order(resources)
