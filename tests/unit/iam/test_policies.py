"""Roles as SAM's translator expands them, with the intrinsics resolved to the stack's ARNs."""

from infra.iam.policies import as_template_expression, function_roles, resource_names
from infra.local.template import IntrinsicResolver, load_template_text, resolve_parameters

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Classifier: {Type: String, Default: local}
Conditions:
  UseComprehend: !Equals [!Ref Classifier, comprehend]
Globals:
  Function: {Runtime: python3.11, CodeUri: build/lambda/}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handlers.worker.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:Query]
              Resource: !Sub ${Table.Arn}/index/*
            - !If
              - UseComprehend
              - {Effect: Allow, Action: [comprehend:DetectToxicContent], Resource: "*"}
              - !Ref AWS::NoValue
        - SQSSendMessagePolicy: {QueueName: !GetAtt Queue.QueueName}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {}
  Queue:
    Type: AWS::SQS::Queue
"""
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/corrigo-local-Table"


def roles(classifier):
    template = load_template_text(TEMPLATE)
    resolver = IntrinsicResolver(template, resolve_parameters(template, {"Classifier": classifier}))
    resolver.register("Table", "corrigo-local-Table", {"Arn": TABLE})
    resolver.register("Queue", "http://q/123456789012/corrigo-local-Queue", {"QueueName": "corrigo-local-Queue"})
    resolver.register("Worker", "corrigo-local-Worker", {})
    return function_roles(template, resolver), resource_names(template, resolver)


def test_policy_templates_and_inline_statements_are_expanded_and_resolved():
    found, _ = roles("local")
    role = found["Worker"]
    assert role.principal_arn == "arn:aws:sts::123456789012:assumed-role/corrigo-local-WorkerRole/corrigo-local-Worker"
    own = [(s.source, s.actions, s.resources, s.template_resources) for s in role.statements if not s.managed]
    assert own == [
        ("Policies[0] #0", ("dynamodb:Query",), (f"{TABLE}/index/*",), ("!Sub ${Table.Arn}/index/*",)),
        (
            "Policies[1] SQSSendMessagePolicy #0",
            ("sqs:SendMessage*",),
            ("arn:aws:sqs:us-east-1:123456789012:corrigo-local-Queue",),
            ("!Sub arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}",),
        ),
    ]
    managed = {s.source for s in role.statements if s.managed}
    assert managed == {"AWSLambdaBasicExecutionRole #0"}


def test_a_conditional_statement_is_there_only_when_its_condition_holds():
    with_comprehend, _ = roles("comprehend")
    actions = [s.actions for s in with_comprehend["Worker"].statements if not s.managed]
    assert ("comprehend:DetectToxicContent",) in actions


def test_an_arn_is_named_as_the_template_names_it():
    _, names = roles("local")
    assert as_template_expression(f"{TABLE}/index/article", names) == "${Table.Arn}/index/article"
    assert as_template_expression("arn:aws:s3:::other", names) is None
