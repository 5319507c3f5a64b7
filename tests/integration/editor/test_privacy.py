"""Issue 9 (PIPL): an admin erases a requester's personal data; the retention sweep does it after
PersonalDataRetentionDays; an admin exports everything held about an address (docs/privacy.md)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from adapters.duplicate_links import DuplicateLinks
from adapters.mail_markers import MailMarkers
from tests.integration.editor.conftest import EDITOR
from tests.integration.mail.conftest import deliver  # noqa: F401 (a fixture)
from tests.integration.screening.conftest import screening_on  # noqa: F401 (a fixture)
from tests.support.events import http_event, sqs_event
from tests.support.mail_forms import docx_form_mail

ADMIN_GROUPS = ("editors", "admins")
PERSONAL = (
    "张三",
    "zs@example.org",
    "zhangsan@example.com",
    "13800138000",
    "203.0.113",
    "身份证",
    "新闻稿件修改申请表",
)


@pytest.fixture
def table(aws):
    from adapters.requests_table import RequestsTable

    return RequestsTable(aws.ref("RequestsTable"))


@pytest.fixture
def admin(tokens):
    return tokens(groups=ADMIN_GROUPS)


@pytest.fixture
def resolve(gateway, tokens):
    def run(reference: str) -> None:
        token = tokens()
        assert gateway("POST", f"/editor/api/requests/{reference}/claim", token=token)[0] == 200
        body = {"outcome": "corrected", "reply": "已更正。", "public_note": "人数已更正"}
        assert gateway("POST", f"/editor/api/requests/{reference}/resolve", token=token, body=body)[0] == 200

    return run


@pytest.fixture
def mailed(aws, deliver):  # noqa: F811
    """A request made from a mail with a .docx attachment, screened into the queue."""
    from handlers import intake_worker

    def make() -> str:
        delivery = deliver(docx_form_mail())
        assert delivery.reference
        intake_worker.handler(
            sqs_event([json.dumps({"reference": delivery.reference})]), aws.context("IntakeWorkerFunction")
        )
        return delivery.reference

    return make


def status_document(aws, table, reference: str) -> dict:
    from handlers import api

    token = table.get(reference).status_token
    answer = api.handler(
        http_event("GET", f"/requests/{reference}", query={"token": token}, headers={"accept": "application/json"}),
        aws.context("ApiFunction"),
    )
    assert answer["statusCode"] == 200
    return json.loads(answer["body"])


def all_items(aws, reference: str) -> list[dict]:
    dynamodb = aws.clients("dynamodb")
    answer = dynamodb.query(
        TableName=aws.ref("RequestsTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"REQ#{reference}"}},
    )
    return answer["Items"]


def versions(aws, bucket: str, key: str) -> list[dict]:
    answer = aws.clients("s3").list_object_versions(Bucket=bucket, Prefix=key)
    return answer.get("Versions", []) + answer.get("DeleteMarkers", [])


def test_an_admin_erases_a_mailed_request_its_raw_mail_attachments_and_markers(
    aws, gateway, admin, mailed, table, resolve
):
    reference = mailed()
    resolve(reference)
    before = table.get(reference)
    mail = before.source["mail"]
    [attachment] = before.source["attachments"]
    assert versions(aws, mail["bucket"], mail["key"]) and versions(aws, attachment["bucket"], attachment["key"])
    assert MailMarkers(table.db).seen([f"object:{mail['bucket']}/{mail['key']}"]) is not None

    status, _, answer = gateway(
        "POST", f"/editor/api/requests/{reference}/erase", token=admin, body={"reason": "申请人来函要求删除个人信息"}
    )

    assert status == 200, answer
    assert answer["reference"] == reference and answer["erased"] is True
    stored = json.dumps(all_items(aws, reference), ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in stored, personal
    # Every version gone, not hidden behind a delete marker (the bucket is versioned).
    assert versions(aws, mail["bucket"], mail["key"]) == []
    assert versions(aws, attachment["bucket"], attachment["key"]) == []
    assert MailMarkers(table.db).seen([f"object:{mail['bucket']}/{mail['key']}"]) is None

    request, events, _ = table.history(reference)
    assert request.status.value == "resolved" and request.outcome == "corrected"
    [erasure] = [e for e in events if e.action.value == "erase"]
    assert (erasure.actor, erasure.detail) == (EDITOR, "申请人来函要求删除个人信息")


def test_the_status_page_after_erasure_shows_the_decision_and_no_personal_data(
    aws, gateway, admin, queued, table, resolve
):
    reference = queued(requester_name="张三", requester_phone="13800138000")
    resolve(reference)

    assert (
        gateway("POST", f"/editor/api/requests/{reference}/erase", token=admin, body={"reason": "依申请删除"})[0] == 200
    )

    page = status_document(aws, table, reference)
    assert (page["status"], page["outcome"], page["public_note"]) == ("resolved", "corrected", "人数已更正")
    assert page["history"][-1]["action"] == "erase"
    shown = json.dumps(page, ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in shown
    case = gateway("GET", f"/editor/api/requests/{reference}", token=admin)[2]
    assert "zhangsan@example.com" not in json.dumps(case, ensure_ascii=False)


def test_an_editor_who_is_not_an_admin_gets_403_and_nothing_is_erased(gateway, tokens, queued, table):
    reference = queued()

    status, _, answer = gateway("POST", f"/editor/api/requests/{reference}/erase", token=tokens(), body={"reason": "x"})

    assert status == 403, answer
    assert table.get(reference).requester_email == "zhangsan@example.com"
    assert gateway("GET", "/editor/api/requesters/zhangsan@example.com", token=tokens())[0] == 403


@pytest.mark.parametrize(
    "body", [None, {}, {"reason": ""}, {"reason": "   "}], ids=["none", "empty", "blank", "spaces"]
)
def test_an_erasure_without_a_reason_is_400_and_erases_nothing(gateway, admin, queued, table, body):
    reference = queued()

    status, _, answer = gateway("POST", f"/editor/api/requests/{reference}/erase", token=admin, body=body)

    assert status == 400, answer
    assert table.get(reference).requester_email == "zhangsan@example.com"


def test_an_unknown_reference_is_404(gateway, admin):
    assert gateway("POST", "/editor/api/requests/CR-2026-ZZZZZZ/erase", token=admin, body={"reason": "x"})[0] == 404


def test_erasing_a_request_erases_its_linked_duplicates_of_the_same_requester_and_its_link_copies(
    screening_on,  # noqa: F811
    aws,
    gateway,
    admin,
    queued,
    table,
):
    primary = queued()
    again = queued(requester_name="张三（重复）")  # the same person again: linked to the primary
    other = queued(requester_email="lisi@example.com", requester_name="李四")  # someone else, same passage
    assert table.get(again).merged_into == primary and table.get(other).merged_into == primary

    assert (
        gateway("POST", f"/editor/api/requests/{primary}/erase", token=admin, body={"reason": "依申请删除"})[0] == 200
    )

    for reference in (primary, again):
        stored = json.dumps(all_items(aws, reference), ensure_ascii=False)
        assert "zhangsan@example.com" not in stored and "张三" not in stored, reference
    # Another requester's request and its link stay: their data is not the erased requester's.
    assert table.get(other).requester_email == "lisi@example.com"
    links = {link["reference"]: link for link in DuplicateLinks(table).linked(primary)}
    assert links[other]["requester_email"] == "lisi@example.com"
    assert "requester_email" not in links[again]


def test_erasing_a_duplicate_erases_its_copy_on_the_primary(screening_on, gateway, admin, queued, table):  # noqa: F811
    primary = queued()
    duplicate = queued(requester_email="lisi@example.com", requester_name="李四")

    assert (
        gateway("POST", f"/editor/api/requests/{duplicate}/erase", token=admin, body={"reason": "依申请删除"})[0] == 200
    )

    [link] = DuplicateLinks(table).linked(primary)
    assert link["reference"] == duplicate and "lisi@example.com" not in json.dumps(link, ensure_ascii=False)
    assert table.get(primary).requester_email == "zhangsan@example.com"


def test_erasing_twice_is_harmless(gateway, admin, queued, table):
    reference = queued()
    first = gateway("POST", f"/editor/api/requests/{reference}/erase", token=admin, body={"reason": "一"})
    second = gateway("POST", f"/editor/api/requests/{reference}/erase", token=admin, body={"reason": "二"})
    assert (first[0], second[0]) == (200, 200) and second[2]["repeated"] is True
    _, events, _ = table.history(reference)
    assert [e.detail for e in events if e.action.value == "erase"] == ["一"]


def test_the_export_lists_every_request_and_event_held_about_an_address(gateway, admin, queued, resolve):
    first = queued()
    second = queued(article_url="https://news.example.cn/2025/03/06/another.html")
    elsewhere = queued(requester_email="lisi@example.com", article_url="https://news.example.cn/2025/03/07/x.html")
    resolve(first)

    status, _, export = gateway("GET", "/editor/api/requesters/ZhangSan@Example.com", token=admin)

    assert status == 200, export
    by_reference = {r["reference"]: r for r in export["requests"]}
    assert set(by_reference) == {first, second} and elsewhere not in by_reference
    assert by_reference[first]["fields"]["requester_email"] == "zhangsan@example.com"
    actions = [e["action"] for e in by_reference[first]["events"]]
    assert actions[0] == "submit" and {"screen_pass", "claim", "resolve"} <= set(actions)

    gateway("POST", f"/editor/api/requests/{first}/erase", token=admin, body={"reason": "依申请删除"})
    after = gateway("GET", "/editor/api/requesters/zhangsan@example.com", token=admin)[2]
    assert [r["reference"] for r in after["requests"]] == [second]


def test_the_retention_sweep_erases_only_resolved_requests_past_retention(aws, queued, table, resolve, monkeypatch):
    from handlers import deadline_sweep

    due, recent, still_open = (
        queued(),
        queued(article_url="https://news.example.cn/b.html"),
        queued(article_url="https://news.example.cn/c.html"),
    )
    resolve(due)
    time.sleep(0.01)  # the two resolutions a few milliseconds apart: the cutoff falls between them
    resolve(recent)
    _, history, _ = table.history(due)
    resolved_at = datetime.fromisoformat(next(e.at for e in history if e.action.value == "resolve"))
    days = deadline_sweep.SETTINGS.personal_data_retention_days
    assert days == 1095  # the template's default, through the environment

    sweep = deadline_sweep.privacy_service()
    monkeypatch.setattr(sweep, "clock", lambda: resolved_at + timedelta(days=days, milliseconds=1))
    result = deadline_sweep.handler({}, aws.context("DeadlineSweepFunction"))

    assert result["erased"] == 1
    assert table.get(due).requester_email == "" and table.get(due).outcome == "corrected"
    assert table.get(recent).requester_email == "zhangsan@example.com"
    assert table.get(still_open).requester_email == "zhangsan@example.com"
    _, events, _ = table.history(due)
    assert [(e.actor, e.detail) for e in events if e.action.value == "erase"] == [
        ("retention", "PersonalDataRetentionDays")
    ]
    # Nothing due any more: the next sweep reads an empty range of the index and erases nothing.
    assert deadline_sweep.handler({}, aws.context("DeadlineSweepFunction"))["erased"] == 0
