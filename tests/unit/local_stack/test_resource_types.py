"""Every resource type of template.yaml is either created in moto or skipped on purpose, with a reason."""

import logging
from pathlib import Path

from infra.local.resources import CREATORS, NO_LOCAL_MEANING, provision
from infra.local.template import IntrinsicResolver, load_template, resolve_parameters

ROOT = Path(__file__).resolve().parents[3]


def test_every_type_in_the_template_is_created_or_knowingly_skipped():
    resources = load_template(ROOT / "template.yaml")["Resources"]

    undecided = sorted({r["Type"] for r in resources.values()} - set(CREATORS) - set(NO_LOCAL_MEANING))

    assert not undecided, f"add a creator or a reason to NO_LOCAL_MEANING for: {', '.join(undecided)}"


def test_the_schedule_dead_letter_queue_is_created_and_operations_resources_are_skipped():
    resources = load_template(ROOT / "template.yaml")["Resources"]

    assert resources["DeadlineSweepDeadLetterQueue"]["Type"] in CREATORS
    for skipped in ("AlarmTopicKey", "OperationsDashboard", "ApiFunctionLogGroup", "ApiFunctionErrorsAlarm"):
        assert resources[skipped]["Type"] in NO_LOCAL_MEANING, skipped


def test_a_type_nobody_decided_on_is_skipped_with_a_warning(caplog):
    template = {"Resources": {"Mystery": {"Type": "AWS::Made::Up", "Properties": {}}}}
    resolver = IntrinsicResolver(template, resolve_parameters(template))

    with caplog.at_level(logging.DEBUG, logger="infra.local.resources"):
        created = provision(aws=None, template=template, resolver=resolver)  # type: ignore[arg-type]  # no AWS call

    assert created == {}
    assert resolver.ref("Mystery") == "corrigo-local-Mystery"  # a placeholder keeps Refs resolvable
    (record,) = [r for r in caplog.records if "Mystery" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "NO_LOCAL_MEANING" in record.getMessage()


def test_a_known_skip_says_why_at_debug_level(caplog):
    template = {"Resources": {"Board": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": "{}"}}}}
    resolver = IntrinsicResolver(template, resolve_parameters(template))

    with caplog.at_level(logging.DEBUG, logger="infra.local.resources"):
        provision(aws=None, template=template, resolver=resolver)  # type: ignore[arg-type]

    (record,) = [r for r in caplog.records if "Board" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert NO_LOCAL_MEANING["AWS::CloudWatch::Dashboard"] in record.getMessage()
