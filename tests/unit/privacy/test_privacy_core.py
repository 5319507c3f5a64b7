"""What is personal in a request, and the request without it (corrigo.privacy, PIPL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from corrigo import privacy
from corrigo.config import ConfigError, settings_from
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ENV = {"SITE_DOMAINS": "news.example.cn", "PUBLIC_BASE_URL": "https://c.example.cn", "TABLE_NAME": "t"}


def mailed_request(**changes: object) -> CorrectionRequest:
    request = CorrectionRequest(
        reference="CR-2026-7K3F9Q",
        status=Status.RESOLVED,
        fields={
            "request_type": "correction",
            "article_url": "https://news.example.cn/a/1",
            "article_title": "标题",
            "original_text": "原文说有三人",
            "requested_change": "我是王喆，应为两人",
            "reason": "我当时在场，电话 13800000000",
            "requester_name": "王喆",
            "requester_organization": "某某公司",
            "requester_phone": "13800000000",
            "requester_email": "WangZhe@Example.com",
            "relationship": "named_person",
        },
        language="zh",
        channel="email",
        created_at="2023-01-01T00:00:00.000Z",
        updated_at="2023-01-05T00:00:00.000Z",
        urgency=3,
        first_response_due="2023-01-03T00:00:00.000Z",
        decision_due="2023-01-08T00:00:00.000Z",
        status_token="tok",
        version=7,
        outcome="corrected",
        public_note="人数已更正",
        source={
            "ip": "203.0.113.9",
            "user_agent": "Mozilla/5.0",
            "mail": {
                "bucket": "raw",
                "key": "inbound/abc",
                "message_id": "<m1@example.com>",
                "from": "WangZhe@Example.com",
                "from_name": "王喆",
            },
            "attachments": [{"bucket": "raw", "key": "attachments/abc/1-id.pdf", "filename": "身份证.pdf"}],
            "contact": {"token": "t", "confirmed": "wangzhe@example.com"},
        },
        screening={"verdict": "clean", "score": 0, "findings": [{"rule": "pii", "zh": "王喆"}]},
    )
    return replace(request, **changes)


def event(at: str, action: Action, before: Status | None, after: Status, detail: str = "") -> AuditEvent:
    return AuditEvent(
        at=at, action=action, actor="editor@news.example.cn", status_before=before, status_after=after, detail=detail
    )


def test_the_anonymised_request_keeps_the_article_and_decision_and_drops_every_personal_part():
    request = mailed_request()
    erased = privacy.anonymised(request, at=NOW, why=privacy.ErasureReason.ON_REQUEST)

    assert erased.fields == {
        "request_type": "correction",
        "article_url": "https://news.example.cn/a/1",
        "article_title": "标题",
        "original_text": "原文说有三人",
        "relationship": "named_person",
    }
    assert erased.source == {"erased": {"at": "2026-12-01T08:00:00.000Z", "why": "request"}}
    assert erased.screening == {"verdict": "clean", "score": 0}
    # The decision, the status link and the dates stay: the status page still works.
    assert (erased.outcome, erased.public_note, erased.status_token, erased.created_at) == (
        "corrected",
        "人数已更正",
        "tok",
        request.created_at,
    )
    assert erased.version == request.version + 1 and privacy.is_erased(erased)
    text = repr(erased)
    for personal in ("王喆", "13800000000", "example.com", "203.0.113.9", "Mozilla", "inbound/abc", "身份证"):
        assert personal not in text, personal


def test_the_personal_fields_are_the_requesters_and_their_own_words_and_nothing_about_the_article():
    assert set(privacy.PERSONAL_FIELDS) == {
        "requester_name",
        "requester_organization",
        "requester_phone",
        "requester_email",
        "requested_change",
        "reason",
        "website",
    }
    assert not set(privacy.PERSONAL_FIELDS) & set(privacy.KEPT_FIELDS)


def test_the_stored_objects_and_mail_markers_are_those_of_the_request_s_mail():
    request = mailed_request()
    assert privacy.stored_objects(request) == [
        privacy.StoredObject("raw", "inbound/abc"),
        privacy.StoredObject("raw", "attachments/abc/1-id.pdf"),
    ]
    assert privacy.mail_marker_keys(request) == [
        "object:raw/inbound/abc",
        "message-id:wangzhe@example.com:<m1@example.com>",
    ]
    web = mailed_request(source={"ip": "203.0.113.9"})
    assert privacy.stored_objects(web) == [] and privacy.mail_marker_keys(web) == []


def test_the_marker_keys_are_the_ones_mail_intake_writes():
    from corrigo.mail.notification import idempotency_keys

    request = mailed_request()

    class Notification:
        bucket, key = "raw", "inbound/abc"

    class Mail:
        message_id, from_address = "<m1@example.com>", "WangZhe@Example.com"

    assert privacy.mail_marker_keys(request) == idempotency_keys(Notification(), Mail())  # type: ignore[arg-type]


def test_an_event_keeps_who_did_what_and_when_but_not_its_text():
    asked = event(
        "2023-01-02T00:00:00.000Z", Action.ASK, Status.IN_REVIEW, Status.AWAITING_REQUESTER, "王喆先生，请提供证明"
    )
    kept = privacy.anonymised_event(asked)
    assert (kept.at, kept.action, kept.actor, kept.status_after, kept.detail) == (
        asked.at,
        Action.ASK,
        asked.actor,
        Status.AWAITING_REQUESTER,
        "",
    )


def test_the_erasure_event_says_who_and_why_and_leaves_the_status():
    erase = privacy.erasure_event(mailed_request(), actor="admin@news.example.cn", at=NOW, reason="申请人来电要求删除")
    assert (erase.action, erase.actor, erase.detail, erase.status_before, erase.status_after) == (
        Action.ERASE,
        "admin@news.example.cn",
        "申请人来电要求删除",
        Status.RESOLVED,
        Status.RESOLVED,
    )
    assert erase.public  # the requester's status page says their data is gone, not who asked or why


def test_the_personal_copies_on_a_duplicate_link_are_every_requester_attribute_it_holds():
    from services.duplicates import Duplicates
    from services.promises import Promises

    class Table:
        def __init__(self) -> None:
            self.saved: dict = {}

        def save_duplicate(self, before, after, event, link, *, outbox=()):
            self.saved = link

    table = Table()
    request = replace(mailed_request(), status=Status.RECEIVED)
    primary = replace(mailed_request(), reference="CR-2026-AAAAAA", status=Status.QUEUED)
    promises = Promises(lambda: "message-1", lambda: NOW)
    duplicates = Duplicates(table, table, promises, timedelta(hours=1), lambda: NOW)  # type: ignore[arg-type]
    duplicates.link(request, request, primary)
    personal = {name for name in table.saved if name.startswith("requester_")}
    assert personal == set(privacy.LINK_PERSONAL_ATTRIBUTES) == {"requester_name", "requester_email"}


def test_retention_counts_from_the_latest_move_into_resolved():
    request = mailed_request()
    history = [
        event("2023-01-01T00:00:00.000Z", Action.SUBMIT, None, Status.RECEIVED),
        event("2023-01-04T00:00:00.000Z", Action.RESOLVE, Status.IN_REVIEW, Status.RESOLVED),
        event("2023-02-01T00:00:00.000Z", Action.REOPEN, Status.RESOLVED, Status.QUEUED),
        event("2023-03-01T00:00:00.000Z", Action.RESOLVE, Status.IN_REVIEW, Status.RESOLVED),
        # A later mail on a resolved request does not restart the clock.
        event("2023-04-01T00:00:00.000Z", Action.MAIL_RECEIVED, Status.RESOLVED, Status.RESOLVED),
    ]
    assert privacy.resolved_at(request, history) == "2023-03-01T00:00:00.000Z"
    assert privacy.past_retention(request, history, "2023-03-01T00:00:00.000Z")
    assert not privacy.past_retention(request, history, "2023-02-28T23:59:59.999Z")
    assert not privacy.past_retention(replace(request, status=Status.QUEUED), history, "2030-01-01T00:00:00.000Z")
    erased = privacy.anonymised(request, at=NOW, why=privacy.ErasureReason.RETENTION)
    assert not privacy.past_retention(erased, history, "2030-01-01T00:00:00.000Z")
    assert privacy.retention_cutoff(NOW, 1095) == (NOW - timedelta(days=1095)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_only_a_move_into_resolved_starts_the_clock():
    assert privacy.enters_resolution(event("t", Action.RESOLVE, Status.IN_REVIEW, Status.RESOLVED))
    assert privacy.enters_resolution(event("t", Action.SCREEN_DUPLICATE, Status.RECEIVED, Status.RESOLVED))
    assert not privacy.enters_resolution(event("t", Action.NOTE, Status.RESOLVED, Status.RESOLVED))
    assert not privacy.enters_resolution(event("t", Action.REOPEN, Status.RESOLVED, Status.QUEUED))


def test_the_requester_key_is_a_hash_of_the_address_whatever_its_case():
    key = privacy.requester_index_key(" WangZhe@Example.com ")
    assert key == privacy.requester_index_key("wangzhe@example.com")
    assert key is not None and key.startswith("REQUESTER#") and "example" not in key
    assert privacy.requester_index_key("") is None


def test_the_export_lists_each_request_with_its_events_oldest_first():
    older = mailed_request(reference="CR-2026-AAAAAA", created_at="2022-01-01T00:00:00.000Z")
    newer = mailed_request()
    history = [event("2023-01-02T00:00:00.000Z", Action.ASK, Status.IN_REVIEW, Status.AWAITING_REQUESTER, "问题")]
    document = privacy.export_document("WangZhe@Example.com", [(newer, history), (older, [])])
    assert document["requester_email"] == "wangzhe@example.com"
    assert [r["reference"] for r in document["requests"]] == ["CR-2026-AAAAAA", "CR-2026-7K3F9Q"]
    assert document["requests"][1]["events"] == [
        {
            "at": "2023-01-02T00:00:00.000Z",
            "action": "ask",
            "actor": "editor@news.example.cn",
            "status_before": "in_review",
            "status_after": "awaiting_requester",
            "detail": "问题",
        }
    ]
    assert document["requests"][1]["fields"]["requester_phone"] == "13800000000"
    assert document["requests"][1]["source"]["contact"] == {"confirmed": "wangzhe@example.com"}  # no token
    assert newer.source["contact"]["token"] == "t"  # the request itself is untouched


def test_the_retention_is_read_once_from_the_environment_three_years_by_default():
    assert settings_from(ENV, ("PERSONAL_DATA_RETENTION_DAYS",)).personal_data_retention_days == 1095
    assert (
        settings_from(
            {**ENV, "PERSONAL_DATA_RETENTION_DAYS": "30"}, ("PERSONAL_DATA_RETENTION_DAYS",)
        ).personal_data_retention_days
        == 30
    )
    for bad in ("0", "-1", "three years"):
        with pytest.raises(ConfigError, match="PERSONAL_DATA_RETENTION_DAYS"):
            settings_from({**ENV, "PERSONAL_DATA_RETENTION_DAYS": bad}, ("PERSONAL_DATA_RETENTION_DAYS",))
