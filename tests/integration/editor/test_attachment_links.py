"""Attachments kept from mail reach the case view as short-lived download links (issue 10)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, unquote, urlparse

from adapters.raw_mail import DOWNLOAD_LINK_SECONDS, download_links
from corrigo.outbox import UNDELIVERABLE_FLAG
from services.review_documents import case_document


def test_a_kept_attachment_gets_a_presigned_download_link_under_its_own_name(aws):
    bucket = aws.ref("RawMailBucket")
    key = "attachments/msg-1/申请表.docx"
    aws.clients("s3").put_object(Bucket=bucket, Key=key, Body=b"form")
    stored = {"bucket": bucket, "key": key, "filename": "申请表.docx", "content_type": "application/msword", "size": 4}

    [shown] = download_links([stored])

    url = urlparse(shown["url"])
    query = parse_qs(url.query)
    assert unquote(url.path).endswith(f"/{key}")
    assert query["X-Amz-Expires"] == [str(DOWNLOAD_LINK_SECONDS)]
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.docx" in query["response-content-disposition"][0]
    assert query["response-content-type"] == ["application/octet-stream"]
    assert {k: shown[k] for k in ("filename", "content_type", "size")} == {
        "filename": "申请表.docx",
        "content_type": "application/msword",
        "size": 4,
    }
    assert "bucket" not in shown and "key" not in shown


def test_the_case_document_carries_the_kept_and_skipped_attachments_and_the_undeliverable_flag():
    from datetime import UTC, datetime

    from tests.unit.outbox.test_outbox_delivery import request

    kept = [
        {"bucket": "b", "key": "attachments/m/a.pdf", "filename": "a.pdf", "content_type": "application/pdf", "size": 9}
    ]
    skipped = [{"filename": "huge.zip", "reason": "larger than 10485760 bytes"}]
    stored = replace(
        request(), source={"attachments": kept, "attachments_skipped": skipped}, flags=(UNDELIVERABLE_FLAG,)
    )

    document = case_document(stored, [], [], [], datetime(2026, 12, 1, tzinfo=UTC))

    assert document["attachments"] == kept
    assert document["attachments_skipped"] == skipped
    assert document["requester_undeliverable"] is True
