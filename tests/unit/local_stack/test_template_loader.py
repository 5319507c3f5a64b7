"""The YAML loader turns CloudFormation short tags into the long JSON form."""

from pathlib import Path

import pytest

from infra.local.template import TemplateError, load_template, load_template_text

ROOT = Path(__file__).resolve().parents[3]


def test_every_short_tag_becomes_its_long_form():
    document = load_template_text(
        """
        A: !Ref Name
        B: !GetAtt Queue.Arn
        C: !GetAtt [Queue, QueueName]
        D: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
        E: !Sub ["${X}-y", {X: !Ref Stage}]
        F: !Join [",", [a, !Ref B]]
        G: !Select [0, !Split [",", !Ref Domains]]
        H: !If [IsProd, !Ref AWS::NoValue, 1]
        I: !Not [!Equals [!Ref P, ""]]
        J: !FindInMap [Map, !Ref AWS::Region, Key]
        K: !GetAZs ""
        L: !Base64 text
        M: !Condition IsProd
        """
    )
    assert document == {
        "A": {"Ref": "Name"},
        "B": {"Fn::GetAtt": ["Queue", "Arn"]},
        "C": {"Fn::GetAtt": ["Queue", "QueueName"]},
        "D": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
        "E": {"Fn::Sub": ["${X}-y", {"X": {"Ref": "Stage"}}]},
        "F": {"Fn::Join": [",", ["a", {"Ref": "B"}]]},
        "G": {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "Domains"}]}]},
        "H": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 1]},
        "I": {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]},
        "J": {"Fn::FindInMap": ["Map", {"Ref": "AWS::Region"}, "Key"]},
        "K": {"Fn::GetAZs": ""},
        "L": {"Fn::Base64": "text"},
        "M": {"Condition": "IsProd"},
    }


def test_a_get_att_attribute_may_contain_dots():
    assert load_template_text("A: !GetAtt Db.Endpoint.Address") == {"A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}


def test_dates_stay_strings_as_in_cloudformation():
    assert load_template_text("AWSTemplateFormatVersion: 2010-09-09")["AWSTemplateFormatVersion"] == "2010-09-09"


def test_unknown_tags_are_refused():
    with pytest.raises(Exception, match="!Nonsense"):
        load_template_text("A: !Nonsense x")


def test_a_template_must_be_a_mapping():
    with pytest.raises(TemplateError):
        load_template_text("- a list")


def test_the_project_template_loads():
    template = load_template(ROOT / "template.yaml")
    assert template["Resources"]
    assert all("Type" in resource for resource in template["Resources"].values())
